"""Population families by spans (icsys.analytics.spans): the same rows as by person-dates."""

from __future__ import annotations

import calendar
import tempfile
from datetime import date
from pathlib import Path
from unittest import mock

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.analytics import spans
from icsys.analytics.attributes import OLDEST_AGE
from icsys.analytics.definitions.loader import load_library
from icsys.analytics.definitions.model import Filter, Measure
from icsys.analytics.engines.base import input_files
from icsys.analytics.engines.duckdb_engine import DuckDBEngine
from icsys.analytics.families import Family, MeasureColumn, build_plan
from icsys.analytics.periods import periods_ending
from icsys.analytics.testing import END, synthetic_world

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

PLAN = build_plan(load_library())
PERIODS = periods_ending(END, months=12, quarters=4, years=2)  # 13 period ends


def _families(world, *, by_spans: bool) -> dict[str, pd.DataFrame]:
    fewest = 1 if by_spans else 10**6
    out = {}
    with (
        mock.patch.object(spans, "SPANS_FROM_ENDS", fewest),
        input_files(world.lake, world.structure, PERIODS) as inputs,
    ):
        for key, table in DuckDBEngine().families(PLAN, inputs):
            if key.startswith("population"):
                frame = table.to_pandas()
                out[key] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**31), persons=st.integers(5, 80))
def test_spans_give_the_rows_of_person_dates(seed, persons):
    # births, deaths, moves between practices, onsets, birthdays and recent admissions all
    # fall inside the two years of the synthetic world
    with tempfile.TemporaryDirectory() as tmp:
        world = synthetic_world(Path(tmp), seed=seed, persons=persons)
        by_spans = _families(world, by_spans=True)
        by_dates = _families(world, by_spans=False)
    assert (
        by_spans.keys()
        == by_dates.keys()
        == {
            "population:registered",
            "population:registered:banded",
        }
    )
    for key, frame in by_dates.items():
        assert len(frame) > 0
        pd.testing.assert_frame_equal(by_spans[key], frame, check_exact=True)


def _person_table(born: list[date]) -> ibis.Table:
    return ibis.memtable(
        {
            "person_id": [f"p{i}" for i in range(len(born))],
            "sex": ["1"] * len(born),
            "date_of_birth": born,
            "ethnicity": ["A"] * len(born),
            "lsoa_code": ["E01000001"] * len(born),
            "date_of_death": pd.Series([None] * len(born), dtype="datetime64[s]"),
        },
        schema={
            "person_id": "string",
            "sex": "string",
            "date_of_birth": "date",
            "ethnicity": "string",
            "lsoa_code": "string",
            "date_of_death": "date",
        },
    )


def test_a_birthday_is_a_breakpoint_at_the_first_period_end_of_the_new_age():
    ends = [_end_of(2023, m) for m in range(1, 13)]
    ends += [_end_of(2024, m) for m in range(1, 13)]
    born = [
        date(2004, 2, 29),  # 20 on 29 February 2024, a period end
        date(2003, 2, 28),  # 20 on 28 February 2023, a period end
        date(2003, 3, 1),  # 20 on 1 March 2023: the March end
        date(1958, 6, 30),  # 65 on 30 June 2023
        date(1958, 7, 1),  # 65 on 1 July 2023: the July end
        date(1939, 12, 31),  # 85 on 31 December 2024, the last period end
        date(2024, 1, 15),  # born inside: 1 after the last period end
        date(1933, 5, 5),  # 90 on 5 May 2023, and never older (ages above 90 count as 90)
    ]
    tables = {
        "periods": ibis.memtable(
            {"period_type": ["month"] * len(ends), "start": ends, "end": ends},
            schema={"period_type": "string", "start": "date", "end": "date"},
        ),
        "persons": _person_table(born),
        "lsoa_map": ibis.memtable(
            {"lsoa_code": ["E01000001"], "imd_decile": [5]},
            schema={"lsoa_code": "string", "imd_decile": "int64"},
        ),
    }
    people = spans.SpanPeople(tables.__getitem__, ["month"])
    ages = spans.age_breaks(_family())
    points = people._birthdays(ends, ages)
    points = points.join(people.people().select("pid", "person_id"), "pid")
    found = ibis.duckdb.connect().execute(points)
    got = {(int(p[1:]), int(bp)) for p, bp in zip(found["person_id"], found["bp"], strict=True)}
    expected = set()
    for i, b in enumerate(born):  # the first period end at each age reached in between
        for a in ages:
            at = [k for k, e in enumerate(ends) if _age(b, e) >= a]
            if at and at[0] > 0:
                expected.add((i, at[0]))
    assert got == expected
    assert expected == {(0, 13), (1, 1), (2, 2), (3, 5), (4, 6), (5, 23), (7, 4)}


def _end_of(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _age(born: date, on: date) -> int:
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return min(years, OLDEST_AGE)


def _family(*filters: Filter, category: tuple[str, str] | None = None) -> Family:
    # built without validation: a field the population may gain later, unknown to age_breaks
    measure = Measure.model_construct(source="population", where=filters, value="rows")
    return Family("population", "registered", columns=[MeasureColumn("m0", measure, category)])


def test_the_ages_a_family_reads_are_breakpoints():
    assert set(spans.age_breaks(_family())) == spans.RULE_AGES - {0}
    assert {16, 17} <= set(spans.age_breaks(_family(Filter(field="age", ge=16.5))))
    assert {40, 41} <= set(spans.age_breaks(_family(Filter(field="age", lt=41))))
    assert 12 in spans.age_breaks(_family(Filter(field="age", **{"in": ("12",)})))
    assert spans.age_breaks(_family(Filter(field="has_copd", eq=1))) == spans.age_breaks(_family())
    every = tuple(range(1, OLDEST_AGE + 1))
    assert spans.age_breaks(_family(Filter(field="frailty_index", ge=3))) == every
    assert spans.age_breaks(_family(category=("age", "3"))) == every


def test_a_sum_or_few_period_ends_are_computed_by_person_dates():
    ends = [_end_of(2024, m) for m in range(1, 13)]
    assert spans.spans_apply(_family(), ends)
    assert not spans.spans_apply(_family(), ends[: spans.SPANS_FROM_ENDS - 1])
    summed = Family(
        "population",
        "registered",
        columns=[MeasureColumn("m0", Measure.model_construct(source="population", value="sum"))],
    )
    assert not spans.spans_apply(summed, ends)
