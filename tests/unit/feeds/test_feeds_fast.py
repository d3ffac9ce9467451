"""The fast paths give the same answers as the careful ones: whole-block CSV parsing against
line-by-line checks, typed Parquet columns, formats parsed only where the common one fails,
cached pseudonyms, and register codes with several intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.feeds import _read, lake, pseudonym
from icsys.feeds._read import CsvSource, _quotes_at_field_edges
from icsys.feeds._validate import Checker
from icsys.feeds.contracts import contract
from icsys.feeds.ingest import load_feed
from icsys.feeds.pseudonym import Pseudonymiser, clear_cache

TODAY = date(2025, 6, 1)


def _at(*parts: int) -> datetime:
    """A naive date and time, as the lake stores them."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


HEADER = "person_id,practice_code,start_date\n"
MESSY = [
    "P1,Z90001,2020-01-01",
    '"P2","Z90002","2020-01-02"',
    "",
    'P3,"Z9,0003",2020-01-03',
    'P4,"Z90""004",2020-01-04',
    '"P5"x,Z90005,2020-01-05',
    "P6,Z90006",
    "P7,Z90007,2020-01-07,extra",
    '"P8,Z90008,2020-01-08',
    "  P9 , Z90009 ,2020-01-09\r",
    'P10,Z900"10,2020-01-10',
]


def _chunks(
    path: Path, *, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    source = CsvSource(path, block_bytes=64)
    if not fast:
        monkeypatch.setattr(CsvSource, "_fast", lambda *_a: None)
    chunks = list(source.chunks(source.header))
    monkeypatch.undo()
    frame = pl.concat([c.frame for c in chunks], how="vertical_relaxed")
    found = pl.concat([c.problems for c in chunks])
    return frame, found, sum(c.rows for c in chunks)


@pytest.mark.parametrize("tail", ["\n", "", "\nP11,Z90011,2020-01-11", "\nP12,Z90012"])
def test_fast_and_careful_csv_reading_agree(tmp_path, monkeypatch, tail):
    path = tmp_path / "r.csv"
    good = [f"Q{i},Z9{i:04d},2021-01-01" for i in range(40)]
    path.write_bytes((HEADER + "\n".join([*good, *MESSY, *good]) + tail).encode())
    monkeypatch.setattr(_read, "PIECE_BYTES", 96)
    fast = _chunks(path, fast=True, monkeypatch=monkeypatch)
    careful = _chunks(path, fast=False, monkeypatch=monkeypatch)
    assert fast[0].equals(careful[0])
    assert fast[1].equals(careful[1])
    assert fast[2] == careful[2]
    assert set(careful[1]["line"]) >= {47, 48, 49, 50}


def _edges(block: bytes) -> bool:
    if block.count(b'"') % 2:
        return False
    for i, ch in enumerate(block):
        if ch == ord('"'):
            opens = i == 0 or block[i - 1] in b",\n"
            closes = i == len(block) - 1 or block[i + 1] in b",\n\r"
            if not (opens or closes):
                return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60).map(lambda b: bytes(b'a,"\n\r'[x % 5] for x in b)), st.integers(1, 8))
def test_quote_check_in_pieces_is_the_plain_definition(block, step):
    assert _quotes_at_field_edges(block, step) == _edges(block)


def _checker(name: str, present: set[str], registers=None, pseudonymiser=None) -> Checker:
    return Checker(contract(name), present, TODAY, registers or {}, pseudonymiser)


def test_timestamps_in_other_formats_are_parsed_where_the_common_one_fails():
    frame = pl.DataFrame(
        {
            "attendance_id": ["A1", "A2", "A3", "A4", "A5"],
            "person_id": ["P1"] * 5,
            "provider_code": ["X"] * 5,
            "arrival_time": [
                "2024-01-05 10:00:00",
                "2024-01-05T10:00:30",
                "2024-01-05 10:00",
                " 2024-01-05T10:01 ",
                "2024-01-05 25:00",
            ],
            "department_type": ["01"] * 5,
            "_line": [2, 3, 4, 5, 6],
        }
    )
    good, bad = _checker("ae_attendances", set(frame.columns) - {"_line"}).check(frame)
    assert good["arrival_time"].to_list() == [
        _at(2024, 1, 5, 10, 0),
        _at(2024, 1, 5, 10, 0, 30),
        _at(2024, 1, 5, 10, 0),
        _at(2024, 1, 5, 10, 1),
    ]
    assert bad.rows() == [
        (
            6,
            "arrival_time",
            "2024-01-05 25:00",
            "not a date and time (expected YYYY-MM-DD HH:MM[:SS])",
        )
    ]


def test_register_codes_with_several_intervals():
    registers = {
        "practice_code": pl.DataFrame(
            {
                "code": ["A", "B", "B"],
                "valid_from": [date(2000, 1, 1), date(2000, 1, 1), date(2010, 1, 1)],
                "valid_to": [None, date(2005, 1, 1), None],
            },
            schema={"code": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
        )
    }
    frame = pl.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4", "P5"],
            "practice_code": ["A", "B", "B", "C", "A"],
            "start_date": ["2001-01-01", "2007-01-01", "2012-01-01", "2012-01-01", "1999-01-01"],
            "_line": [2, 3, 4, 5, 6],
        }
    )
    good, bad = _checker("registrations", set(frame.columns) - {"_line"}, registers).check(frame)
    assert good["person_id"].to_list() == ["P1", "P3"]
    assert bad.select("line", "reason").rows() == [
        (3, "practice code not in force on the start_date date"),
        (5, "not a practice code in the structure register"),
        (6, "practice code not in force on the start_date date"),
    ]


def test_cached_pseudonyms_equal_the_hmac():
    clear_cache()
    numbers = ["9434765919", "0000000000", "9434765919", None]
    first = Pseudonymiser(b"k" * 32)
    again = Pseudonymiser(b"k" * 32)
    other = Pseudonymiser(b"j" * 32)
    expected = [first.one(n) if n else None for n in numbers]
    assert first.series(pl.Series(numbers)).to_list() == expected
    assert again.series(pl.Series(numbers)).to_list() == expected
    assert other.series(pl.Series(numbers)).to_list() == [
        other.one(n) if n else None for n in numbers
    ]
    assert other.one(numbers[0]) != first.one(numbers[0])


def test_the_pseudonym_cache_is_bounded_and_stays_exact(monkeypatch):
    monkeypatch.setattr(pseudonym, "_CACHE_LIMIT", 5)
    clear_cache()
    key = Pseudonymiser(b"b" * 32)
    numbers = [str(9_000_000_000 + i) for i in range(12)]
    chunks = [numbers[i : i + 3] for i in range(0, 12, 3)] + [numbers, numbers[:2]]
    for chunk in chunks:
        assert key.series(pl.Series(chunk)).to_list() == [key.one(n) for n in chunk]
        (cache,) = pseudonym._CACHE.values()
        # past the bound the oldest parts go; only a single part may be larger than it
        assert cache.rows <= 5 or len(cache.parts) == 1
        assert cache.rows == sum(part.height for part in cache.parts)
    clear_cache()


def test_typed_parquet_columns_are_checked_not_parsed(feed_env, tmp_path):
    engine, settings_, environ = feed_env
    path = tmp_path / "spells.parquet"
    table = pa.table(
        {
            "spell_id": ["S1", "S2", "S3"],
            "nhs_number": pa.array([9434765919, 9434765919, 9434765918], pa.int64()),
            "provider_code": pa.array(["ZA0", " ZA1 ", "ZA0"]).dictionary_encode(),
            "admission_date": pa.array([date(2024, 1, 5), date(2024, 2, 1), date(2024, 3, 1)]),
            "discharge_date": pa.array(
                [_at(2024, 1, 7), None, _at(2024, 3, 2)], pa.timestamp("ms")
            ),
            "admission_method": ["21", "11", "21"],
            "primary_diagnosis": ["I21.0", None, "J440"],
            "cost": pa.array([1500, 20, 3], pa.int32()),
        }
    )
    pq.write_table(table, path)
    report = load_feed(engine, settings_, "hospital_spells", [path], today=TODAY, environ=environ)
    f = report.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (3, 1, 2)
    lines = Path(report.quarantine_file).read_text(encoding="utf-8").splitlines()
    assert lines[1:] == [
        "spells.parquet,1,discharge_date,2024-01-07 00:00:00.000,not a date (expected YYYY-MM-DD)",
        "spells.parquet,3,nhs_number,(redacted),NHS number fails the modulus 11 check",
        "spells.parquet,3,discharge_date,2024-03-02 00:00:00.000,not a date (expected YYYY-MM-DD)",
    ]
    loaded = pl.read_parquet(lake.committed_files(settings_, "hospital_spells"))
    assert loaded.select("spell_id", "provider_code", "cost", "admission_type").rows() == [
        ("S2", "ZA1", 20.0, "elective")
    ]
    (person,) = loaded["person_id"].to_list()
    assert len(person) == 32
    assert "9434765919" not in person
