"""The 13 published A&E provider files load with zero quarantined rows and reconcile."""

from __future__ import annotations

import csv

import duckdb
import pytest

from icsys.feeds import lake
from icsys.feeds.ingest import load_feed

pytestmark = pytest.mark.realdata


def test_ae_provider_files_load_and_reconcile(shared_data, settings):
    folder = shared_data / "ae_monthly_provider"
    report = load_feed(None, settings, "ae_provider_monthly", [folder])  # type: ignore[arg-type]
    assert len(report.files) == 13
    assert report.rows_quarantined == 0
    for f in report.files:
        assert f.reconciles
        assert f.out_of_scope == {"file total row": 1}
    source = lake.duckdb_source(settings, "ae_provider_monthly")
    loaded = duckdb.sql(
        f"SELECT sum(attendances_type1) FROM {source} WHERE period = DATE '2025-04-01'"
    ).fetchall()[0][0]
    with (folder / "Monthly-AE-April-2025.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Period"].strip().upper() != "TOTAL"]
    assert loaded == sum(int(r["A&E attendances Type 1"]) for r in rows) == 1354645
    again = load_feed(None, settings, "ae_provider_monthly", [folder])  # type: ignore[arg-type]
    assert {f.status for f in again.files} == {"already loaded"}
