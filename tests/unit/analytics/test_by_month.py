"""Activity is summed by month: a quarter's or a year's count is the sum of its months', each
event counted for the person as they were at the end of its month."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from icsys.analytics.definitions.loader import load_library
from icsys.analytics.engines.base import input_files, month_tables
from icsys.analytics.engines.duckdb_engine import DuckDBEngine
from icsys.analytics.engines.reference_engine import _month_end
from icsys.analytics.families import Family, build_plan, by_month
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

ACTIVITY = [
    "ae_attendances_rate",
    "emergency_admissions_rate",
    "outpatient_dna_rate",
    "community_contacts_rate",
    "cost_per_head",
]
PERIODS = periods_ending(END, months=12, quarters=4, years=1)


def _month_no(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(period_id: str) -> int:
    return _month_no(date.fromisoformat(period_id.split(":")[1]))


def test_months_are_numbered_with_their_first_and_last_days():
    months, period_months = month_tables(
        periods_ending(date(2024, 3, 31), months=1, quarters=0, years=1)
    )
    assert months.column("month_no").to_pylist() == list(range(2023 * 12 + 3, 2024 * 12 + 3))
    assert months.column("start").to_pylist()[-2:] == [date(2024, 2, 1), date(2024, 3, 1)]
    assert months.column("end").to_pylist()[-2:] == [date(2024, 2, 29), date(2024, 3, 31)]
    columns = (period_months.column(c).to_pylist() for c in ("period_no", "month_no"))
    pairs = list(zip(*columns, strict=True))
    assert pairs[0] == (0, 2024 * 12 + 2)  # the month March 2024
    assert len(pairs) == 1 + 12  # and the twelve months of 2023-24


def test_activity_families_are_by_month_and_distinct_people_are_not():
    plan = build_plan(load_library())
    kinds = {f.key: by_month(f) for f in plan.families}
    assert kinds["ae_attendances:registered"]
    assert kinds["outpatient_appointments:registered"]
    assert not kinds["population:registered"]
    assert not kinds["social_care_services:resident"]  # open services: a snapshot
    people = Family("ae_attendances", "registered", distinct=True)
    assert people.key == "ae_attendances:registered:distinct"
    assert not by_month(people)


def test_a_quarter_and_a_year_of_activity_are_the_sums_of_their_months(tmp_path):
    world = synthetic_world(tmp_path, seed=5, persons=300)
    library = load_library().select(ACTIVITY)
    with input_files(world.lake, world.structure, PERIODS) as inputs:
        long = DuckDBEngine().aggregate(build_plan(library), inputs)
        # the world has events whose person died or left their practice later in the year:
        # counted at the end of the year they would drop out of the year's count
        spells = pq.read_table(inputs.tables["hospital_spells"]).to_pandas()
        persons = pq.read_table(inputs.tables["persons"]).to_pandas()
    died = spells.merge(persons, on="person_id")
    year = PERIODS[-1]
    later = died[
        (died["admission_date"] >= year.start)
        & (died["date_of_death"] > died["admission_date"])
        & (died["date_of_death"] <= year.end)
    ]
    assert len(later) > 0
    keys = ["indicator_id", "level", "area_code", "parent_code", "category"]
    rows = long[long["breakdown"] == "all"]
    total = pd.DataFrame({k: rows[k].astype(str).to_numpy() for k in [*keys, "period_id"]})
    total["numerator"] = rows["numerator"].to_numpy(float)
    total["kind"] = total["period_id"].str.split(":").str[0]
    total["month"] = total["period_id"].map(_month_of)
    months = total[total["kind"] == "month"]
    checked = 0
    for period in PERIODS:
        if period.period_type == "month":
            continue
        first, last = _month_no(period.start), _month_no(period.end)
        inside = months[(months["month"] >= first) & (months["month"] <= last)]
        summed = inside.groupby(keys, dropna=False)["numerator"].sum()
        own = total[total["period_id"] == period.period_id].set_index(keys)["numerator"]
        both = pd.concat([own.rename("own"), summed.rename("months")], axis=1).fillna(0.0)
        assert np.allclose(both["own"], both["months"], rtol=1e-12), period.label
        checked += int((both["own"] > 0).sum())
    assert checked > 100


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2024, 2, 10), date(2024, 2, 29)),
        (date(2023, 12, 31), date(2023, 12, 31)),
        (date(2023, 2, 1), date(2023, 2, 28)),
        (date(2024, 4, 30), date(2024, 4, 30)),
    ],
)
def test_the_reference_engine_takes_the_last_day_of_the_month(day, last):
    assert _month_end(day) == last
