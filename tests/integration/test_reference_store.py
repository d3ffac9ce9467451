"""The reference load against a real store (SQLite, and PostgreSQL when one is available):
atomic, idempotent, and the register answers as at a date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.errors import InputFileError
from icsys.reference import rebuild
from icsys.reference.diff import diff
from icsys.reference.load import load_reference
from icsys.reference.register import Snapshot
from icsys.store import models as m
from icsys.synth.world import WorldSpec, build_world, write_world_files

AS_OF = date(2025, 1, 1)


@pytest.fixture(scope="module")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    spec = WorldSpec(
        seed=11,
        regions=2,
        systems_per_region=2,
        lsoas_per_place=(8, 12),
        practices_per_place=(3, 5),
    )
    return write_world_files(build_world(spec), tmp_path_factory.mktemp("world"))


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in m.metadata.sorted_tables
        }


def test_a_world_loads_and_the_register_nests_it(
    store: Engine, store_settings: Settings, world_files
):
    world = build_world(
        WorldSpec(
            seed=11,
            regions=2,
            systems_per_region=2,
            lsoas_per_place=(8, 12),
            practices_per_place=(3, 5),
        )
    )
    report = load_reference(store, store_settings, world_files)
    assert all(f.reconciles for f in report.files)
    assert report.rows_quarantined == 0
    snap = Snapshot(store, AS_OF)
    systems = snap.rows(Level.SYSTEM)
    assert {s.code for s in systems} == {s.code for s in world.systems}
    lsoas = snap.rows(Level.LSOA21)
    assert len(lsoas) == len(world.lsoas)
    by_code = {lsoa.code: lsoa for lsoa in world.lsoas}
    for row in lsoas:
        expected = by_code[row.code]
        assert row.extra["imd_decile"] == expected.imd_decile
        assert row.system_code == world.sub_icb(expected.sub_icb_code).system_code
    practices = snap.rows(Level.PRACTICE)
    active = [p for p in world.practices if p.is_active]
    assert {p.code for p in practices} == {p.code for p in active}
    assert all(p.system_code for p in practices)
    sizes = {p.code: p.extra["list_size"] for p in practices}
    assert all(sizes[p.code] == p.list_size for p in active)


def test_loading_the_same_files_twice_changes_nothing(
    store: Engine, store_settings: Settings, world_files
):
    load_reference(store, store_settings, world_files)
    before = table_counts(store)
    second = load_reference(store, store_settings, world_files)
    assert {f.status for f in second.files} == {"already loaded"}
    assert table_counts(store) == before


def test_a_bad_file_in_the_folder_fails_the_load_and_the_store_is_unchanged(
    store: Engine, store_settings: Settings, world_files, tmp_path
):
    load_reference(store, store_settings, world_files[:3])
    before = table_counts(store)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(world_files[3].read_bytes().replace(b",", b",\xff", 1))
    with pytest.raises(InputFileError, match=r"broken\.csv, line 1"):
        load_reference(store, store_settings, [*world_files, broken])
    assert table_counts(store) == before


def test_a_failure_while_writing_rolls_everything_back(
    store: Engine, store_settings: Settings, world_files, monkeypatch
):
    load_reference(store, store_settings, world_files[:2])
    before = table_counts(store)

    def fail(*_args: object, **_kwargs: object) -> None:
        msg = "disk full (simulated)"
        raise OSError(msg)

    monkeypatch.setattr(rebuild, "rebuild_successions", fail)
    with pytest.raises(OSError, match="simulated"):
        load_reference(store, store_settings, world_files)
    assert table_counts(store) == before
    monkeypatch.undo()
    report = load_reference(store, store_settings, world_files)
    assert {f.status for f in report.files} == {"loaded", "already loaded"}


def test_declared_successions_are_dated_edges_shown_by_the_diff(
    store: Engine, store_settings: Settings, world_files, tmp_path
):
    load_reference(store, store_settings, world_files)
    systems = Snapshot(store, AS_OF).rows(Level.SYSTEM)
    declared = tmp_path / "icb_mergers.csv"
    declared.write_text(
        "level,old_code,new_code,effective_date,kind,share,source\n"
        f"system,{systems[0].code},QZZ9X,2026-04-01,merger,,board paper 2025-09\n"
        f"system,{systems[1].code},QZZ9X,2026-04-01,merger,,board paper 2025-09\n"
        "county,E10000001,QZZ9Y,2026-04-01,merger,,typo in level\n",
        encoding="utf-8",
    )
    report = load_reference(store, store_settings, [declared])
    (outcome,) = report.files
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (3, 2, 1)
    result = diff(store, date(2025, 1, 1), date(2026, 6, 1))
    merged = {(s.old_code, s.new_code, s.kind) for s in result.successions}
    assert merged == {(systems[0].code, "QZZ9X", "merger"), (systems[1].code, "QZZ9X", "merger")}
    assert all(s.basis == "declared: board paper 2025-09" for s in result.successions)
    assert diff(store, date(2025, 1, 1), date(2026, 3, 31)).successions == []
