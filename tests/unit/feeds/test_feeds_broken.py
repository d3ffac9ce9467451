"""Deliberately broken files: the exact quarantine reasons, and reconciled counts."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from icsys.errors import QuarantineError
from icsys.feeds import lake
from icsys.feeds.ingest import load_feed

TODAY = date(2025, 6, 1)
SPELLS = "spell_id,person_id,provider_code,admission_date,discharge_date,admission_method,primary_diagnosis,cost\n"


BROKEN_SPELLS = (
    "S1,P1,ZA0,2024-01-05,2024-01-07,21,I21.0,1500.5",
    "S2,P2,ZA0,2024-01-xx,,21,I21.0,",
    "S3,P3,ZZZ,2024-01-05,,11,J440,",
    "S4,P4,ZA1,2099-01-05,,11,J440,",
    "S5,P5,ZA1,2024-01-05,,77,J440,abc",
    "S1,P6,ZA1,2024-01-06,,11,J440,",
    "S7,P7,ZA1,2024-01-05,2024-01-01,11,J440,-1",
    "S8,P8,ZA1",
)


def _load(env, feed, path, **kw):
    engine, settings, environ = env
    return load_feed(engine, settings, feed, [path], today=TODAY, environ=environ, **kw)


def _reasons(report) -> list[tuple[int, str, str]]:
    with Path(report.quarantine_file).open(encoding="utf-8") as fh:
        return [(int(r["line"]), r["column"], r["reason"]) for r in csv.DictReader(fh)]


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_spells_each_problem_has_its_reason(feed_env, tmp_path):
    path = _write(tmp_path, "spells.csv", SPELLS + "\n".join(BROKEN_SPELLS))
    report = _load(feed_env, "hospital_spells", path)
    f = report.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined, f.reconciles) == (8, 1, 7, True)
    assert sorted(_reasons(report)) == [
        (3, "admission_date", "not a date (expected YYYY-MM-DD)"),
        (4, "provider_code", "not a trust code in the structure register"),
        (5, "admission_date", "in the future (after 2025-06-01)"),
        (6, "admission_method", "code not in the contract's list"),
        (6, "cost", "not a number"),
        (7, "(key)", "duplicate key (spell_id): first at line 2 of spells.csv"),
        (8, "cost", "less than 0"),
        (8, "discharge_date", "discharge_date is before admission_date"),
        (9, "(row)", "truncated last line: the line has 3 fields; the header has 8"),
    ]


def test_missing_column_quarantines_every_row(feed_env, tmp_path):
    path = _write(tmp_path, "reg.csv", "person_id,practice_code,end_date\nP1,Z90001,\nP2,Z90002,\n")
    report = _load(feed_env, "registrations", path)
    assert report.files[0].rows_quarantined == 2
    assert _reasons(report)[0] == (
        2,
        "(file)",
        "required column(s) missing from the header: start_date",
    )


def test_wrong_delimiter(feed_env, tmp_path):
    path = _write(tmp_path, "reg.csv", "person_id;practice_code;start_date\nP1;Z90001;2020-01-01\n")
    report = _load(feed_env, "registrations", path)
    assert _reasons(report) == [
        (2, "(file)", "the file is semicolon-separated (expected comma-separated values)")
    ]
    assert report.files[0].reconciles


def test_bad_encoding_is_one_row_not_the_file(feed_env, tmp_path):
    text = b"person_id,practice_code,start_date\nP1,Z90001,2020-01-01\nP\xe9,Z90002,2020-01-01\n"
    report = _load(feed_env, "registrations", _write(tmp_path, "reg.csv", text))
    f = report.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (2, 1, 1)
    assert _reasons(report)[0][2].startswith("bytes that are not valid UTF-8")


def test_unknown_practice_and_not_in_force(feed_env, tmp_path):
    text = "person_id,practice_code,start_date\nP1,Z90001,2020-01-01\nP2,X99999,2020-01-01\nP3,Z90001,1960-01-01\n"
    report = _load(feed_env, "registrations", _write(tmp_path, "reg.csv", text))
    assert _reasons(report) == [
        (3, "practice_code", "not a practice code in the structure register"),
        (4, "practice_code", "practice code not in force on the start_date date"),
    ]


def test_invalid_nhs_number_and_redaction(feed_env, tmp_path):
    text = "nhs_number,sex,date_of_birth,ethnicity,lsoa_code\n9434765919,1,1950-03,A,E01900001\n9434765918,2,1950-03-01,Q,E01900001\n"
    report = _load(feed_env, "persons", _write(tmp_path, "p.csv", text))
    rows = Path(report.quarantine_file).read_text(encoding="utf-8")
    assert "9434765918" not in rows
    assert "(redacted),NHS number fails the modulus 11 check" in rows
    assert "ethnicity,Q,code not in the contract's list" in rows


def test_person_id_that_is_an_nhs_number_is_refused(feed_env, tmp_path):
    text = "person_id,sex,date_of_birth,ethnicity,lsoa_code\n9434765919,1,1950-03,A,E01900001\n"
    report = _load(feed_env, "persons", _write(tmp_path, "p.csv", text))
    rows = Path(report.quarantine_file).read_text(encoding="utf-8")
    assert "9434765919" not in rows
    assert "person_id is a valid NHS number" in rows


def test_strict_loads_nothing(feed_env, tmp_path):
    path = _write(
        tmp_path,
        "spells.csv",
        SPELLS + "S1,P1,ZA0,2024-01-05,,21,I21.0,\nS2,P1,ZA0,bad,,21,I21.0,\n",
    )
    with pytest.raises(QuarantineError):
        _load(feed_env, "hospital_spells", path, strict=True)
    assert lake.committed_files(feed_env[1], "hospital_spells") == []


def test_same_file_twice_loads_once_and_keys_across_batches(feed_env, tmp_path):
    path = _write(tmp_path, "spells.csv", SPELLS + "S1,P1,ZA0,2024-01-05,,21,I21.0,\n")
    first = _load(feed_env, "hospital_spells", path)
    again = _load(feed_env, "hospital_spells", path)
    assert first.rows_loaded == 1
    assert again.files[0].status == "already loaded"
    assert again.batch_id is None
    other = _write(
        tmp_path,
        "spells2.csv",
        SPELLS + "S1,P1,ZA0,2024-01-05,,21,I21.0,\nS2,P1,ZA0,2024-01-05,,21,I21.0,\n",
    )
    third = _load(feed_env, "hospital_spells", other)
    assert (third.rows_loaded, third.rows_quarantined) == (1, 1)
    assert _reasons(third) == [(2, "(key)", "key (spell_id) already loaded in an earlier batch")]


def test_conditions_through_a_mapping_file(feed_env, tmp_path):
    mapping = _write(
        tmp_path,
        "map.csv",
        "code_system,code,cluster\nicd10,I10,hypertension\nsnomed,73211009,diabetes\n",
    )
    text = "person_id,code_system,code,onset_date\nP1,icd10,I10,2020-01-01\nP1,snomed,73211009,2021-05-01\nP2,icd10,Z99,2021-01-01\n"
    report = _load(feed_env, "conditions", _write(tmp_path, "c.csv", text), mapping=mapping)
    assert report.rows_loaded == 2
    assert _reasons(report) == [(4, "code", "code not in the mapping file")]


def test_parquet_input(feed_env, tmp_path):
    path = tmp_path / "reg.parquet"
    pl.DataFrame(
        {
            "person_id": ["P1", "P2"],
            "practice_code": ["Z90001", "Z90002"],
            "start_date": [date(2020, 1, 1), date(2030, 1, 1)],
        }
    ).write_parquet(path)
    report = _load(feed_env, "registrations", path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
