"""The synthetic population goes through the real ingest: every row of every feed is loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from icsys.cli.main import main
from icsys.config import Settings
from icsys.feeds import lake
from icsys.reference.load import load_reference
from icsys.store.db import open_store
from icsys.synth.population.generate import FEEDS, PopulationSpec
from icsys.synth.population.service import synthesise_population
from icsys.synth.world import WorldSpec, build_world, write_world_files

SMALL = WorldSpec(regions=2, systems_per_region=2, lsoas_per_place=(8, 12))


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    monkeypatch.setenv("ICSYS_PSEUDONYM_KEY", str(path))
    return path


@pytest.fixture
def store(tmp_path: Path, key: Path) -> Iterator[tuple[Engine, Settings]]:
    settings = Settings(home=tmp_path / "home")
    engine = open_store(settings)
    load_reference(engine, settings, write_world_files(build_world(SMALL), tmp_path / "world"))
    yield engine, settings
    engine.dispose()


def check_every_row_loaded(result: object) -> None:
    generation = result.generation  # type: ignore[attr-defined]
    loads = {r.feed: r for r in result.loads}  # type: ignore[attr-defined]
    assert set(loads) == set(FEEDS)
    for feed in FEEDS:
        report = loads[feed]
        assert report.rows_quarantined == 0, (feed, report.quarantine_file)
        assert report.rows_read == report.rows_loaded == generation.rows[feed] > 0, feed
        assert all(f.reconciles for f in report.files)


def test_every_feed_loads_with_nothing_quarantined(store: tuple[Engine, Settings]) -> None:
    engine, settings = store
    spec = PopulationSpec(persons=4_000, years=2, seed=5, block_size=2_000)
    result = synthesise_population(engine, settings, spec)
    check_every_row_loaded(result)
    assert not result.world_loaded
    # pseudonymised: the lake has person ids, never NHS numbers
    persons = pl.read_parquet(lake.committed_files(settings, "persons"))
    assert "nhs_number" not in persons.columns
    assert persons["person_id"].n_unique() == result.generation.rows["persons"]
    spells = pl.read_parquet(lake.committed_files(settings, "hospital_spells"))
    assert set(spells["person_id"]) <= set(persons["person_id"])
    # the same seed again: the same files, so nothing new is loaded
    again = synthesise_population(engine, settings, spec)
    assert all(r.batch_id is None for r in again.loads)
    assert all(f.status == "already loaded" for r in again.loads for f in r.files)


def test_csv_files_load_too(store: tuple[Engine, Settings], tmp_path: Path) -> None:
    engine, settings = store
    spec = PopulationSpec(persons=2_000, years=1, seed=6, workers=1)
    result = synthesise_population(engine, settings, spec, out=tmp_path / "csv", fmt="csv")
    check_every_row_loaded(result)
    assert sorted(p.suffix for p in (tmp_path / "csv" / "persons").iterdir()) == [".csv"]


def test_generate_without_loading(store: tuple[Engine, Settings], tmp_path: Path) -> None:
    engine, settings = store
    spec = PopulationSpec(persons=1_500, years=1, seed=8)
    result = synthesise_population(engine, settings, spec, out=tmp_path / "only", load=False)
    assert result.loads == []
    assert lake.committed_files(settings, "persons") == []
    assert result.generation.rows["persons"] >= 1_500


@pytest.mark.slow
def test_cli_on_an_empty_register_loads_the_synthetic_world_first(
    tmp_path: Path, key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"ICSYS_HOME": str(tmp_path / "cli"), "ICSYS_PSEUDONYM_KEY": str(key)}
    code = main(["synth", "population", "--persons", "3000", "--years", "1", "--seed", "4"], env)
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out
    assert "The register was empty: loaded the synthetic world first" in out
    assert "on the synthetic world structure" in out
    assert "NO" not in out.split("Synthetic feeds")[1]
    assert (tmp_path / "cli" / "synthetic-feeds" / "waiting_list" / "part-00000.parquet").exists()
