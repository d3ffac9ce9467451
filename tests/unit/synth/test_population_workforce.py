"""The synthetic workforce feed: every trust, NHS-like levels, consistent stocks and flows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.feeds.codes import STAFF_GROUP
from icsys.reference.load import load_reference
from icsys.store.db import open_store
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.structure import Frame, read_frame
from icsys.synth.population.workforce import months, workforce_table
from icsys.synth.world import WorldSpec, build_world, write_world_files

SPEC = PopulationSpec(persons=1, years=3)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    home = tmp_path_factory.mktemp("workforce") / "home"
    settings = Settings(home=home)
    engine = open_store(settings)
    load_reference(engine, settings, write_world_files(build_world(WorldSpec()), home / "world"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def frame(engine: Engine) -> Frame:
    return read_frame(engine, start=SPEC.start, end=SPEC.end)


@pytest.fixture(scope="module")
def staff(frame: Frame) -> pl.DataFrame:
    table = pl.from_arrow(workforce_table(frame, SPEC.start, SPEC.end, seed=7))
    assert isinstance(table, pl.DataFrame)
    return table


def test_every_trust_every_month_once_per_staff_group(frame: Frame, staff: pl.DataFrame) -> None:
    assert set(staff["organisation_code"]) == set(frame.trust_codes)
    assert set(staff["staff_group"]) <= set(STAFF_GROUP)
    assert sorted(set(staff["month"])) == months(SPEC.start, SPEC.end)
    assert len(months(SPEC.start, SPEC.end)) == 36
    assert staff.select("organisation_code", "month", "staff_group").is_duplicated().sum() == 0
    per_trust = staff.group_by("organisation_code").agg(pl.col("staff_group").n_unique())
    counts = staff.group_by("organisation_code").len()
    joined = per_trust.join(counts, on="organisation_code")
    assert (joined["len"] == joined["staff_group"] * 36).all()


def test_each_kind_of_trust_has_its_staff(frame: Frame, staff: pl.DataFrame) -> None:
    kinds = dict(zip(frame.trust_codes, frame.trust_kind, strict=True))
    groups = staff.group_by("organisation_code").agg(pl.col("staff_group").unique())
    by_kind: dict[str, set[str]] = {}
    for code, found in groups.iter_rows():
        by_kind.setdefault(kinds[code], set()).update(found)
    assert {"acute", "mental_health", "ambulance"} <= set(by_kind)
    assert "ambulance" in by_kind["ambulance"]
    assert "midwifery" in by_kind["acute"]
    assert "ambulance" not in by_kind["acute"] | by_kind["mental_health"]


def _rates(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        (
            pl.col("vacancies").sum() / (pl.col("vacancies") + pl.col("fte_in_post")).sum() * 100
        ).alias("vacancy"),
        (pl.col("leavers").sum() / pl.col("fte_in_post").sum() * 1200).alias("turnover"),
        (pl.col("joiners").sum() / pl.col("fte_in_post").sum() * 1200).alias("joining"),
    )


def test_levels_are_those_of_nhs_trusts(frame: Frame, staff: pl.DataFrame) -> None:
    everyone = _rates(staff).row(0, named=True)
    assert 7 <= everyone["vacancy"] <= 10
    assert 10 <= everyone["turnover"] <= 12.5
    assert everyone["joining"] > everyone["turnover"]  # the NHS workforce grew
    first, last = (
        _rates(staff.filter(pl.col("month").is_between(start, end))).row(0, named=True)
        for start, end in (
            (date(2022, 4, 1), date(2023, 3, 1)),
            (date(2024, 4, 1), date(2025, 3, 1)),
        )
    )
    assert first["vacancy"] > last["vacancy"] + 1  # vacancies fell from 2022 to 2025
    fte_per_1000 = staff["fte_in_post"].sum() / 36 / frame.persons * 1000
    assert 18 <= fte_per_1000 <= 30


def test_staff_in_post_follows_joiners_and_leavers(staff: pl.DataFrame) -> None:
    ordered = staff.sort("organisation_code", "staff_group", "month")
    step = ordered.with_columns(
        pl.col("fte_in_post").shift(-1).over("organisation_code", "staff_group").alias("next")
    ).drop_nulls("next")
    expected = step["fte_in_post"] + step["joiners"] - step["leavers"]
    assert np.abs((step["next"] - expected).to_numpy()).max() <= 0.11  # rounding to 0.1 FTE


def test_same_seed_same_rows_and_a_trust_does_not_depend_on_the_others(
    frame: Frame, staff: pl.DataFrame
) -> None:
    again = pl.from_arrow(workforce_table(frame, SPEC.start, SPEC.end, seed=7))
    assert isinstance(again, pl.DataFrame)
    assert again.equals(staff)
    fewer = dataclasses.replace(
        frame,
        trust_codes=frame.trust_codes[1:],
        trust_kind=frame.trust_kind[1:],
        trust_catchment=frame.trust_catchment[1:],
    )
    alone = pl.from_arrow(workforce_table(fewer, SPEC.start, SPEC.end, seed=7))
    assert isinstance(alone, pl.DataFrame)
    assert alone.equals(staff.filter(pl.col("organisation_code") != frame.trust_codes[0]))
    other = pl.from_arrow(workforce_table(frame, SPEC.start, SPEC.end, seed=8))
    assert isinstance(other, pl.DataFrame)
    assert not other.equals(staff)
