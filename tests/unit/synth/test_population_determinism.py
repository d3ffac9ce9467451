"""The synthetic population: same seed, same files, whatever the number of workers."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import UserError
from icsys.feeds.pseudonym import is_valid_nhs_number
from icsys.reference.load import load_reference
from icsys.store.db import open_store
from icsys.synth.population.generate import FEEDS, PopulationSpec, generate, nhs_numbers
from icsys.synth.population.structure import Frame, read_frame
from icsys.synth.world import WorldSpec, build_world, write_world_files

SMALL = WorldSpec(regions=2, systems_per_region=2, lsoas_per_place=(8, 12))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    home = tmp_path_factory.mktemp("population") / "home"
    settings = Settings(home=home)
    engine = open_store(settings)
    load_reference(engine, settings, write_world_files(build_world(SMALL), home / "world"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def frame(engine: Engine) -> Frame:
    spec = PopulationSpec(persons=1)
    return read_frame(engine, start=spec.start, end=spec.end)


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("part-*"))
    }


def test_same_seed_same_files_whatever_the_workers(frame: Frame, tmp_path: Path) -> None:
    one = PopulationSpec(persons=5_000, years=2, seed=11, block_size=2_000, workers=1)
    two = PopulationSpec(persons=5_000, years=2, seed=11, block_size=2_000, workers=2)
    first = generate(frame, one, tmp_path / "a")
    again = generate(frame, one, tmp_path / "b")
    parallel = generate(frame, two, tmp_path / "c")
    assert digests(tmp_path / "a") == digests(tmp_path / "b") == digests(tmp_path / "c")
    # three blocks per person-level feed, and the trusts' workforce once
    assert len(digests(tmp_path / "a")) == (len(FEEDS) - 1) * 3 + 1
    assert (tmp_path / "a" / "workforce" / "part-00000.parquet").exists()
    assert first.rows == again.rows == parallel.rows
    assert all(first.rows[feed] > 0 for feed in FEEDS)


def test_another_seed_other_people(frame: Frame, tmp_path: Path) -> None:
    generate(frame, PopulationSpec(persons=2_000, years=1, seed=1), tmp_path / "a")
    generate(frame, PopulationSpec(persons=2_000, years=1, seed=2), tmp_path / "b")
    assert digests(tmp_path / "a") != digests(tmp_path / "b")


def test_a_block_does_not_depend_on_the_blocks_before_it(frame: Frame, tmp_path: Path) -> None:
    """Block b of a bigger population is block b of a smaller one with the same block size."""
    generate(
        frame, PopulationSpec(persons=4_000, years=1, seed=3, block_size=2_000), tmp_path / "a"
    )
    generate(
        frame, PopulationSpec(persons=6_000, years=1, seed=3, block_size=2_000), tmp_path / "b"
    )
    small, big = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert all(big[name] == digest for name, digest in small.items())


def test_nhs_numbers_are_valid_unique_and_never_issued(frame: Frame, tmp_path: Path) -> None:
    generate(frame, PopulationSpec(persons=5_000, years=3, seed=5, block_size=2_000), tmp_path)
    persons = pl.read_parquet(tmp_path / "persons")
    numbers = persons["nhs_number"].to_list()
    assert len(set(numbers)) == len(numbers) > 5_000  # births are added
    assert all(is_valid_nhs_number(n) and n.startswith("9") for n in numbers)
    registered = set(pl.read_parquet(tmp_path / "registrations")["nhs_number"].to_list())
    assert registered == set(numbers)  # everyone is registered


def test_nhs_number_ranges_of_blocks_do_not_overlap() -> None:
    first = nhs_numbers(0, 50_000, 62_500)
    second = nhs_numbers(1, 50_000, 62_500)
    assert first.max() < second.min()
    assert all(is_valid_nhs_number(str(n)) for n in [*first[:200], *second[-200:]])


def test_registrations_stay_in_the_sub_icb_of_home(frame: Frame, tmp_path: Path) -> None:
    generate(frame, PopulationSpec(persons=3_000, years=3, seed=9), tmp_path)
    lsoa_sub = dict(zip(frame.lsoa_codes, frame.lsoa_sub_icb.tolist(), strict=True))
    practice_sub = dict(zip(frame.practice_codes, frame.practice_sub_icb.tolist(), strict=True))
    spells = pl.read_parquet(tmp_path / "hospital_spells")
    same = [
        lsoa_sub[lsoa] == practice_sub[practice]
        for lsoa, practice in spells.select("lsoa_code", "practice_code").iter_rows()
    ]
    assert all(same)
    registrations = pl.read_parquet(tmp_path / "registrations")
    assert registrations.group_by("nhs_number").len()["len"].max() > 1  # some people move
    assert (
        registrations["end_date"].is_null()
        | (registrations["end_date"] >= registrations["start_date"])
    ).all()


def test_one_system_places_everyone_in_it(frame: Frame, tmp_path: Path) -> None:
    """``systems``: people live, move and register only in the chosen system's LSOAs and
    practices (one ICS's population at its real size), while the whole structure stays."""
    chosen = frame.system_codes[1]
    spec = PopulationSpec(persons=3_000, years=3, seed=9, systems=(chosen,))
    generate(frame, spec, tmp_path)
    system_of_sub = [frame.system_codes[i] for i in frame.sub_icb_system]
    lsoa_system = {
        c: system_of_sub[s] for c, s in zip(frame.lsoa_codes, frame.lsoa_sub_icb, strict=True)
    }
    practice_system = {
        c: system_of_sub[s]
        for c, s in zip(frame.practice_codes, frame.practice_sub_icb, strict=True)
    }
    registrations = pl.read_parquet(tmp_path / "registrations")
    persons = pl.read_parquet(tmp_path / "persons")
    spells = pl.read_parquet(tmp_path / "hospital_spells")
    assert registrations.group_by("nhs_number").len()["len"].max() > 1  # some people move
    assert {practice_system[p] for p in registrations["practice_code"]} == {chosen}
    assert {lsoa_system[x] for x in persons["lsoa_code"]} == {chosen}
    assert {lsoa_system[x] for x in spells["lsoa_code"]} == {chosen}
    assert persons.height > 3_000  # births too
    assert len(set(system_of_sub)) > 1  # the structure has other systems, all left empty


def test_an_unknown_or_empty_system_is_a_user_error(frame: Frame) -> None:
    with pytest.raises(UserError, match="no system E54999999"):
        frame.within(("E54999999",))
    nobody = dataclasses.replace(frame, lsoa_ages=np.zeros_like(frame.lsoa_ages))
    with pytest.raises(UserError, match="has a population estimate"):
        nobody.within((frame.system_codes[0],))


def test_csv_has_the_same_rows(frame: Frame, tmp_path: Path) -> None:
    spec = PopulationSpec(persons=2_000, years=1, seed=4)
    generate(frame, spec, tmp_path / "p")
    generate(frame, spec, tmp_path / "c", fmt="csv")
    parquet = pl.read_parquet(tmp_path / "p" / "ae_attendances")
    text = pl.read_csv(tmp_path / "c" / "ae_attendances" / "part-00000.csv", infer_schema=False)
    assert text.columns == parquet.columns
    assert isinstance(parquet.schema["arrival_time"], pl.Datetime)  # typed in Parquet
    as_text = parquet["arrival_time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    assert text["arrival_time"].to_list() == as_text.to_list()  # YYYY-MM-DD HH:MM:SS in CSV


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"persons": 0}, "--persons"),
        ({"persons": 10, "years": 0}, "--years"),
        ({"persons": 10, "workers": 0}, "--workers"),
    ],
)
def test_bad_specs_are_user_errors(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(UserError, match=message):
        PopulationSpec(**kwargs)


def test_an_empty_register_is_a_user_error(tmp_path: Path) -> None:
    engine = open_store(Settings(home=tmp_path / "empty"))
    spec = PopulationSpec(persons=10)
    with pytest.raises(UserError, match="reference"):
        read_frame(engine, start=spec.start, end=spec.end)
    engine.dispose()
