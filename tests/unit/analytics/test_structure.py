"""The ONS estimates as the engines read them: per 2021 LSOA, sex, single year of age and year
(icsys.analytics.structure.ons_population)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, insert

from icsys.analytics.structure import AGES, ons_population
from icsys.domain.levels import Level, Relation
from icsys.store import models as m


class _Snap:
    """The one lookup ons_population asks of a register snapshot: 2011 → 2021 LSOAs."""

    def __init__(self, mapping: dict[str, list[tuple[str, float | None]]]) -> None:
        self.mapping = mapping

    def _parents(
        self, child_level: str, parent_level: str, relation: str
    ) -> dict[str, list[tuple[str, float | None]]]:
        assert (child_level, parent_level, relation) == (
            Level.LSOA11,
            Level.LSOA21,
            Relation.LSOA_MAP,
        )
        return self.mapping


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    m.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _load(engine: Engine, rows: list[tuple[str, str, int, str, str]]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(m.population),
            [
                {"batch_id": 1, "level": lv, "code": c, "year": y, "sex": s, "total": 0, "ages": a}
                for lv, c, y, s, a in rows
            ],
        )


def _cells(engine: Engine, snap: _Snap) -> list[tuple[int, str, str, int, float]]:
    table = ons_population(engine, snap)  # type: ignore[arg-type]
    assert table.column_names == ["year", "lsoa_code", "sex", "age", "population"]
    return [tuple(r.values()) for r in table.to_pylist()]  # type: ignore[misc]


def test_2021_lsoas_by_sex_and_age_persons_only_where_no_sexes(engine: Engine) -> None:
    _load(
        engine,
        [
            (Level.LSOA21, "E01B", 2022, "M", "3,0,2"),  # short: the other ages are 0
            (Level.LSOA21, "E01B", 2022, "F", "1,1"),
            (Level.LSOA21, "E01B", 2022, "P", "4,1,2"),  # the sum of the sexes: not counted
            (Level.LSOA21, "E01A", 2022, "P", "5"),  # persons only: sex unknown
        ],
    )
    assert _cells(engine, _Snap({})) == [
        (2022, "E01A", "U", 0, 5.0),
        (2022, "E01B", "F", 0, 1.0),
        (2022, "E01B", "F", 1, 1.0),
        (2022, "E01B", "M", 0, 3.0),  # age 1 is 0: no row
        (2022, "E01B", "M", 2, 2.0),
    ]


def test_2011_lsoas_split_by_shares_in_years_without_2021_estimates(engine: Engine) -> None:
    past_last = ",".join(["0"] * (AGES - 1) + ["7", "9"])  # 90+ is the last: 9 is dropped
    _load(
        engine,
        [
            (Level.LSOA11, "E01OLD", 2020, "M", "8,4"),
            (Level.LSOA11, "E01ONE", 2020, "M", "2"),  # maps to one, no share given
            (Level.LSOA11, "E01OLD", 2022, "M", "100"),  # 2022 has 2021 estimates: ignored
            (Level.LSOA21, "E01X", 2022, "F", past_last),
        ],
    )
    snap = _Snap({"E01OLD": [("E01X", 0.25), ("E01Y", 0.75)], "E01ONE": [("E01X", None)]})
    assert _cells(engine, snap) == [
        (2020, "E01X", "M", 0, 8 * 0.25 + 2.0),
        (2020, "E01X", "M", 1, 4 * 0.25),
        (2020, "E01Y", "M", 0, 8 * 0.75),
        (2020, "E01Y", "M", 1, 4 * 0.75),
        (2022, "E01X", "F", AGES - 1, 7.0),
    ]
