"""Parquet feed files: columns read as their schema allows, and the same lake as the same rows
sent as CSV."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from icsys.feeds import lake
from icsys.feeds.ingest import FeedLoadReport, load_feed

TODAY = date(2025, 6, 1)
LONDON = ZoneInfo("Europe/London")
COLUMNS = (
    "attendance_id",
    "nhs_number",
    "provider_code",
    "arrival_time",
    "departure_time",
    "department_type",
    "disposal",
)
ROWS = [
    ("A1", "9434765919", "ZA0", "2024-01-05 10:00:00", "2024-01-05 13:30:15", "01", "03"),
    ("A2", "9434765919", "ZA1", "2024-07-01 23:59:59", "", "03", ""),  # summer time
    ("A3", "4010232137", "ZA0", "2024-03-31 00:30:00", "2024-03-31 02:30:00", "01", "01"),
    ("A4", "9434765918", "ZA0", "2024-02-01 09:00:00", "2024-02-01 10:00:00", "01", "03"),
    ("A5", "4010232137", "ZA0", "2024-02-02 09:00:00", "2024-02-02 08:59:59", "01", "03"),
    ("A6", "4010232137", "ZA0", "2026-02-02 09:00:00", "", "01", "03"),
    ("A7", "4010232137", "ZZ9", "2024-10-27 01:30:00", "2024-10-27 03:00:00", "02", "12"),
]


def _naive(text: str) -> datetime:
    """A date and time without a zone, as the lake stores them."""
    return datetime.fromisoformat(text)


def _csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(ROWS)
    return path


def _times(column: int, unit: str, zone: str | None) -> pa.Array:
    values = [datetime.fromisoformat(r[column]) if r[column] else None for r in ROWS]
    if zone is not None:  # the same wall-clock times in England, as instants in ``zone``
        values = [
            v.replace(tzinfo=LONDON).astimezone(ZoneInfo(zone)) if v else None for v in values
        ]
    return pa.array(values, pa.timestamp(unit, zone))


def _parquet(path: Path, unit: str, zone: str | None) -> Path:
    columns = {name: [r[i] or None for r in ROWS] for i, name in enumerate(COLUMNS)}
    table = pa.table(
        {
            **columns,
            "nhs_number": pa.array([int(r[1]) for r in ROWS], pa.int64()),
            "provider_code": pa.array(columns["provider_code"]).dictionary_encode(),
            "arrival_time": _times(3, unit, zone),
            "departure_time": _times(4, unit, zone),
        }
    )
    pq.write_table(table, path)
    return path


def _load(feed_env: tuple, home: str, path: Path) -> tuple[FeedLoadReport, pl.DataFrame]:
    engine, settings, environ = feed_env
    settings = type(settings)(home=settings.home.parent / home)
    report = load_feed(engine, settings, "ae_attendances", [path], today=TODAY, environ=environ)
    files = lake.committed_files(settings, "ae_attendances")
    loaded = pl.read_parquet(files) if files else pl.DataFrame({"attendance_id": []})
    return report, loaded.sort("attendance_id")


def _reasons(report: FeedLoadReport, line_offset: int) -> list[tuple[int, str, str]]:
    with Path(str(report.quarantine_file)).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(int(r["line"]) - line_offset, r["column"], r["reason"]) for r in rows]


@pytest.mark.parametrize(
    ("unit", "zone"),
    [("s", None), ("ms", None), ("us", None), ("ns", None), ("us", "UTC"), ("ms", "Europe/London")],
)
def test_parquet_timestamps_load_as_the_same_rows_in_csv(feed_env, tmp_path, unit, zone):
    text, text_lake = _load(feed_env, "csv", _csv(tmp_path / "ae.csv"))
    typed, typed_lake = _load(feed_env, "parquet", _parquet(tmp_path / "ae.parquet", unit, zone))
    assert typed_lake.schema["arrival_time"] == pl.Datetime("us")
    assert typed_lake.drop("source_line").equals(text_lake.drop("source_line"))
    assert (typed_lake["source_line"] + 1).equals(text_lake["source_line"])  # CSV: header line
    assert typed_lake["attendance_id"].to_list() == ["A1", "A2", "A3"]
    assert typed_lake.filter(pl.col("attendance_id") == "A2")["arrival_time"].item() == _naive(
        "2024-07-01 23:59:59"
    )
    assert _reasons(typed, 0) == _reasons(text, 1)
    assert [r[2] for r in _reasons(typed, 0)] == [
        "NHS number fails the modulus 11 check",
        "departure_time is before arrival_time",
        "in the future (after 2025-06-01)",
        "not a trust code in the structure register",
    ]
    for report in (text, typed):
        (f,) = report.files
        assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (7, 3, 4)


def test_text_timestamps_in_parquet_go_through_the_csv_parser(feed_env, tmp_path):
    path = tmp_path / "ae.parquet"
    table = pa.table({name: [r[i] or None for r in ROWS] for i, name in enumerate(COLUMNS)})
    pq.write_table(table, path)
    _text, text_lake = _load(feed_env, "csv", _csv(tmp_path / "ae.csv"))
    _typed, typed_lake = _load(feed_env, "parquet", path)
    assert typed_lake.drop("source_line").equals(text_lake.drop("source_line"))


def test_nanoseconds_are_cut_to_the_lakes_microseconds(feed_env, tmp_path):
    path = tmp_path / "ae.parquet"
    _parquet(path, "ns", None)
    table = pq.read_table(path)
    arrival = pa.array(
        [v + 1_234 if v is not None else None for v in table["arrival_time"].cast(pa.int64())],
        pa.int64(),
    ).cast(pa.timestamp("ns"))
    pq.write_table(table.set_column(3, "arrival_time", arrival), path)
    _report, loaded = _load(feed_env, "parquet", path)
    first = loaded.filter(pl.col("attendance_id") == "A1")["arrival_time"].item()
    assert first == _naive("2024-01-05 10:00:00.000001")


def test_a_column_without_a_text_form_is_a_problem_of_the_file(feed_env, tmp_path):
    path = tmp_path / "ae.parquet"
    _parquet(path, "us", None)
    table = pq.read_table(path)
    nested = pa.array([[v] for v in table["arrival_time"].to_pylist()])
    pq.write_table(table.set_column(3, "arrival_time", nested), path)
    report, loaded = _load(feed_env, "parquet", path)
    (f,) = report.files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (7, 0, 7)
    assert f.reconciles
    assert loaded.is_empty()
    (reason,) = {r[2] for r in _reasons(report, 0)}
    assert reason.startswith("column arrival_time is list<")  # the type as Arrow names it
    assert reason.endswith("> in the Parquet schema: expected a timestamp or text")


def test_a_time_zone_becomes_the_wall_clock_time_in_england(feed_env, tmp_path):
    instants = [datetime(2024, 1, 5, 10, 0, tzinfo=UTC), datetime(2024, 7, 1, 10, 0, tzinfo=UTC)]
    path = tmp_path / "ae.parquet"
    pq.write_table(
        pa.table(
            {
                "attendance_id": ["W", "S"],
                "person_id": ["p1", "p2"],
                "provider_code": ["ZA0", "ZA0"],
                "arrival_time": pa.array(instants, pa.timestamp("us", "UTC")),
                "departure_time": pa.nulls(2, pa.timestamp("us", "UTC")),
                "department_type": ["01", "01"],
                "disposal": ["03", "03"],
            }
        ),
        path,
    )
    report, loaded = _load(feed_env, "parquet", path)
    assert report.rows_loaded == 2
    assert dict(loaded.select("attendance_id", "arrival_time").iter_rows()) == {
        "S": _naive("2024-07-01 11:00"),  # British Summer Time
        "W": _naive("2024-01-05 10:00"),  # Greenwich Mean Time
    }
