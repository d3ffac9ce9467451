"""The synthetic population reproduces England's published levels (100,000 persons, 3 years).

Prevalence is measured as QOF measures it: people on the register among people registered, at
one date (the middle of the period); event rates per person-year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import polars as pl
import pytest

from icsys.config import Settings
from icsys.reference.load import load_reference
from icsys.store.db import open_store
from icsys.synth.population import model as md
from icsys.synth.population.generate import PopulationSpec, generate
from icsys.synth.population.structure import read_frame
from icsys.synth.world import WorldSpec, build_world, write_world_files

pytestmark = pytest.mark.slow
SPEC = PopulationSpec(persons=100_000, years=3, seed=2026, workers=1)
MID = date(2023, 10, 1)


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, pl.DataFrame]]:
    home = tmp_path_factory.mktemp("calibration") / "home"
    settings = Settings(home=home)
    engine = open_store(settings)
    load_reference(engine, settings, write_world_files(build_world(WorldSpec()), home / "world"))
    frame = read_frame(engine, start=SPEC.start, end=SPEC.end)
    out = home / "feeds"
    generate(frame, SPEC, out)
    tables = {p.name: pl.read_parquet(p) for p in out.iterdir()}
    quintile = pl.DataFrame(
        {"lsoa_code": list(frame.lsoa_codes), "quintile": (frame.lsoa_quintile + 1).tolist()}
    )
    tables["persons"] = tables["persons"].join(quintile, on="lsoa_code")
    yield tables
    engine.dispose()


def alive_at(persons: pl.DataFrame, day: date) -> pl.DataFrame:
    return persons.filter(
        (pl.col("date_of_birth") <= day)
        & (pl.col("date_of_death").is_null() | (pl.col("date_of_death") > day))
    ).with_columns(
        age=((pl.lit(day) - pl.col("date_of_birth")).dt.total_days() / 365.25)
        .floor()
        .cast(pl.Int64)
    )


@pytest.fixture(scope="module")
def on_registers(feeds: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    alive = alive_at(feeds["persons"], MID)
    conditions = (
        feeds["conditions"]
        .filter(pl.col("onset_date") <= MID)
        .join(alive.select("nhs_number", "age", "quintile"), on="nhs_number")
    )
    return alive, conditions


@pytest.mark.parametrize("model", md.CONDITIONS, ids=[c.condition.value for c in md.CONDITIONS])
def test_prevalence_near_qof(
    on_registers: tuple[pl.DataFrame, pl.DataFrame], model: md.ConditionModel
) -> None:
    alive, conditions = on_registers
    denominator = alive.filter(pl.col("age") >= model.min_age).height
    numerator = conditions.filter(
        (pl.col("cluster") == model.condition.value) & (pl.col("age") >= model.min_age)
    ).height
    # the sample's own error (binomial), and as much again for the pilot the model is fitted on
    error = 2 * (model.target * (1 - model.target) / denominator) ** 0.5 / model.target
    assert numerator / denominator == pytest.approx(model.target, rel=max(0.08, 3 * error))


def test_headline_prevalences(on_registers: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    alive, conditions = on_registers
    share = {
        c: conditions.filter(pl.col("cluster") == c).height / alive.height
        for c in ("hypertension", "asthma")
    }
    assert 0.13 < share["hypertension"] < 0.16
    assert 0.058 < share["asthma"] < 0.075
    adults = alive.filter(pl.col("age") >= 17).height
    diabetes = conditions.filter((pl.col("cluster") == "diabetes") & (pl.col("age") >= 17)).height
    assert 0.068 < diabetes / adults < 0.085


def test_deprivation_gradient(on_registers: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    alive, conditions = on_registers

    def prevalence(cluster: str, quintile: int) -> float:
        people = alive.filter(pl.col("quintile") == quintile).height
        cases = conditions.filter(
            (pl.col("cluster") == cluster) & (pl.col("quintile") == quintile)
        ).height
        return cases / people

    assert prevalence("diabetes", 1) > 1.2 * prevalence("diabetes", 5)
    assert prevalence("copd", 1) > 1.8 * prevalence("copd", 5)
    assert prevalence("smi", 1) > prevalence("smi", 5)


def test_multimorbidity_rises_with_age(on_registers: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    alive, conditions = on_registers
    counts = (
        alive.join(conditions.group_by("nhs_number").len(), on="nhs_number", how="left")
        .with_columns(pl.col("len").fill_null(0))
        .with_columns(
            band=pl.when(pl.col("age") < 18)
            .then(0)
            .when(pl.col("age") < 40)
            .then(1)
            .when(pl.col("age") < 60)
            .then(2)
            .when(pl.col("age") < 80)
            .then(3)
            .otherwise(4)
        )
        .group_by("band")
        .agg(mean=pl.col("len").mean(), two_or_more=(pl.col("len") >= 2).mean(), n=pl.len())
        .sort("band")
    )
    means = counts["mean"].to_list()
    shares = counts["two_or_more"].to_list()
    assert means == sorted(means)
    assert shares == sorted(shares)
    assert shares[-1] > 0.4  # most people over 80 have two or more conditions
    assert shares[0] < 0.02


def person_years(persons: pl.DataFrame) -> float:
    start, stop = SPEC.start, SPEC.end
    days = persons.select(
        (
            pl.min_horizontal(pl.col("date_of_death").fill_null(stop), pl.lit(stop))
            - pl.max_horizontal(pl.col("date_of_birth"), pl.lit(start))
        ).dt.total_days()
    ).to_series()
    return float(days.clip(lower_bound=0).sum()) / 365.25


@pytest.mark.parametrize(
    ("feed", "where", "target"),
    [
        ("hospital_spells", pl.col("admission_method").str.starts_with("2"), 0.11),
        ("hospital_spells", pl.col("admission_method").str.starts_with("1"), 0.13),
        ("ae_attendances", None, 0.40),
        ("outpatient_appointments", None, 1.8),
        ("community_contacts", None, 1.5),
        ("mental_health_contacts", None, 0.35),
    ],
)
def test_event_rates_per_person_year(
    feeds: dict[str, pl.DataFrame], feed: str, where: pl.Expr | None, target: float
) -> None:
    table = feeds[feed] if where is None else feeds[feed].filter(where)
    assert table.height / person_years(feeds["persons"]) == pytest.approx(target, rel=0.08)


def test_deaths(feeds: dict[str, pl.DataFrame]) -> None:
    deaths = feeds["persons"]["date_of_death"].is_not_null().sum()
    assert deaths / person_years(feeds["persons"]) == pytest.approx(md.MORTALITY_TARGET, rel=0.1)


def test_ae_performance(feeds: dict[str, pl.DataFrame]) -> None:
    ae = feeds["ae_attendances"].with_columns(
        minutes=(pl.col("departure_time") - pl.col("arrival_time")).dt.total_minutes()
    )
    within_4h = (ae["minutes"] <= 240).mean()
    type1 = ae.filter(pl.col("department_type") == "01")
    assert 0.70 <= within_4h <= 0.78
    assert 0.07 <= (type1["minutes"] > 720).mean() <= 0.13


def test_outpatient_dna(feeds: dict[str, pl.DataFrame]) -> None:
    dna = feeds["outpatient_appointments"]["attendance_status"].is_in(["3", "7"]).mean()
    assert 0.06 <= dna <= 0.08


def test_waiting_list_is_about_13_per_100(feeds: dict[str, pl.DataFrame]) -> None:
    alive = alive_at(feeds["persons"], MID).height
    waiting = feeds["waiting_list"].filter(
        (pl.col("clock_start") <= MID)
        & (pl.col("clock_stop").is_null() | (pl.col("clock_stop") > MID))
    )
    assert waiting.height / alive == pytest.approx(0.13, rel=0.15)
    weeks = waiting.select(((pl.lit(MID) - pl.col("clock_start")).dt.total_days() / 7).alias("w"))[
        "w"
    ]
    assert 0.5 < (weeks < 18).mean() < 0.7


def test_long_term_social_care_for_65_plus(feeds: dict[str, pl.DataFrame]) -> None:
    day = date(2025, 1, 1)  # the synthetic world's LADs are in force from April 2024
    alive = alive_at(feeds["persons"], day)
    services = (
        feeds["social_care_services"]
        .filter(
            pl.col("service_type").str.starts_with("long_term")
            & (pl.col("start_date") <= day)
            & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
        )
        .join(alive.select("nhs_number", "age"), on="nhs_number")
    )
    old = alive.filter(pl.col("age") >= 65).height
    assert services.filter(pl.col("age") >= 65).height / old == pytest.approx(0.015, rel=0.3)


@pytest.mark.parametrize(
    ("feed", "column", "where"),
    [
        ("hospital_spells", "admission_date", pl.col("admission_method").str.starts_with("2")),
        ("ae_attendances", "arrival_time", None),
        ("community_contacts", "contact_date", None),
    ],
)
def test_winter_is_busier(
    feeds: dict[str, pl.DataFrame], feed: str, column: str, where: pl.Expr | None
) -> None:
    table = feeds[feed] if where is None else feeds[feed].filter(where)
    month = table[column].dt.month()
    winter = month.is_in([12, 1, 2]).sum()
    summer = month.is_in([6, 7, 8]).sum()
    assert winter > 1.08 * summer
