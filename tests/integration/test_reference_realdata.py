"""The acceptance figures of the structure register, from the real published files."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.reference.diff import diff
from icsys.reference.load import LoadReport, load_reference
from icsys.reference.register import Snapshot
from icsys.reference.summary import summarise
from icsys.store.db import open_store

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, LoadReport]]:
    """All of ../shared/data loaded once per store engine."""
    home = tmp_path_factory.mktemp("real")
    with ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(request.getfixturevalue("new_postgres_database")())
        settings = Settings(home=home, database_url=url)
        engine = open_store(settings)
        stack.callback(engine.dispose)
        yield engine, load_reference(engine, settings, [shared_data])


def test_every_file_is_read_and_reconciles(loaded):
    _engine, report = loaded
    kinds = {f.kind for f in report.files if f.status == "loaded"}
    assert {
        "geography",
        "imd",
        "ruc",
        "population_sya",
        "gp_registered",
        "op_practices",
        "epcn_pcns",
        "epcn_members",
        "ods_trusts",
        "ods_practices",
        "ods_commissioners",
        "trust_catchment",
    } <= kinds
    assert all(f.reconciles for f in report.files)
    assert report.rows_quarantined == 0
    skipped = {f.label for f in report.files if f.status == "not reference data"}
    assert skipped == set()  # the A&E folder is a feed, and folders are not read


def test_as_at_2025_england_has_its_published_structure(loaded):
    engine, _ = loaded
    snap = Snapshot(engine, date(2025, 1, 1))
    systems = snap.rows(Level.SYSTEM)
    assert len(systems) == 42
    assert len({s.parent_code for s in systems}) == 7
    assert len(snap.rows(Level.NHS_REGION)) == 7
    assert len(snap.rows(Level.SUB_ICB)) == 106
    assert len(snap.rows(Level.LAD)) == 296
    lsoas = snap.rows(Level.LSOA21)
    assert len(lsoas) == 33_755
    assert all(1 <= int(str(r.extra["imd_decile"])) <= 10 for r in lsoas)
    assert all(r.system_code for r in lsoas)


def test_as_at_july_2022_the_2022_codes_are_in_force(loaded):
    engine, _ = loaded
    snap = Snapshot(engine, date(2022, 7, 1))
    codes = {s.code for s in snap.rows(Level.SYSTEM)}
    assert len(codes) == 42
    assert "E54000052" in codes  # Surrey Heartlands, 2022 code
    assert "E54000063" not in codes
    assert "E38000246" in {s.code for s in snap.rows(Level.SUB_ICB)}


def test_the_diff_lists_the_icb_and_sub_icb_successions(loaded):
    engine, _ = loaded
    result = diff(engine, date(2022, 7, 1), date(2025, 1, 1))
    pairs = {(s.level, s.old_code, s.new_code) for s in result.successions}
    assert {
        ("system", "E54000052", "E54000063"),
        ("system", "E54000053", "E54000064"),
        ("sub_icb", "E38000246", "E38000264"),
        ("sub_icb", "E38000248", "E38000265"),
    } <= pairs
    assert ("region", "E40000007", "E40000013") in pairs  # East of England, same ODS code Y61


def test_every_active_practice_in_the_practice_file_is_placed_or_reported(loaded, shared_data):
    engine, _ = loaded
    with (shared_data / "openprescribing_practices_2025.csv").open(encoding="utf-8") as fh:
        active = {
            r["code"]
            for r in csv.DictReader(fh)
            if r["setting"] == "4" and r["status_code"] == "A" and not r["code"].startswith("W")
        }
    snap = Snapshot(engine, date(2025, 10, 1))
    practices = {p.code: p for p in snap.rows(Level.PRACTICE)}
    summary = summarise(snap)
    placed = {c for c, p in practices.items() if p.system_code}
    assert active <= set(practices)
    assert active <= placed | set(summary.unplaced_practices)
    assert len(active & placed) / len(active) > 0.99
    sized = [p for c, p in practices.items() if c in active and p.extra["list_size"]]
    assert len(sized) / len(active) > 0.9  # list sizes from the 2021 registrations file
    pcns = snap.rows(Level.PCN)
    assert all(p.parent_code and p.parent_code.startswith("E38") for p in pcns)


def test_places_default_to_the_lads_of_each_system_with_shares(loaded):
    engine, _ = loaded
    places = Snapshot(engine, date(2025, 1, 1)).places()
    by_lad: dict[str, float] = {}
    for p in places:
        by_lad[p.code] = by_lad.get(p.code, 0.0) + float(str(p.extra["lsoa_share"]))
    assert len(by_lad) == 296
    assert all(abs(total - 1.0) < 1e-3 for total in by_lad.values())
    split = [lad for lad in by_lad if sum(p.code == lad for p in places) > 1]
    assert len(split) == 13  # SOURCES.md: 12 LADs in two ICBs, 1 in three


def test_trusts_are_typed_from_names_and_the_acute_catchment_file(loaded):
    engine, _ = loaded
    trusts = Snapshot(engine, date(2025, 1, 1)).rows(Level.TRUST)
    kinds = Counter(str(t.extra["trust_type"]) for t in trusts)
    assert kinds["acute"] >= 120  # every trust in the acute catchment populations
    assert kinds["ambulance"] == 10  # the English ambulance trusts
    assert kinds["unknown"] <= 20
    assert all(t.system_code for t in trusts if t.code.startswith("R"))
