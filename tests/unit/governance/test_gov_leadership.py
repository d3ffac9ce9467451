"""Leadership stability on a hand-made register: 10 posts, 3 change holder → 70% stable."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import SYSTEM, Gov
from icsys.errors import InvalidRecordError
from icsys.governance.measures import leadership

AS_OF = date(2025, 3, 31)
OTHER = "E54000098"


def _post(gov: Gov, key: str, *, system: str = SYSTEM, start: date = date(2022, 4, 1)) -> None:
    gov.save(
        "posts",
        id=key,
        system_code=system,
        kind="place_lead",
        title=f"Post {key}",
        valid_from=start,
    )


def _hold(
    gov: Gov,
    post: str,
    person: str,
    start: date,
    end: date | None = None,
    *,
    interim: bool = False,
    background: str = "commissioning",
) -> None:
    gov.save("people", id=person, name=f"Person {person}")
    gov.save(
        "tenures",
        id=f"{post}-{person}-{start}",
        post_id=post,
        person_id=person,
        start_on=start,
        end_on=end,
        interim=interim,
        background=background,
    )


def _ten_posts(gov: Gov) -> None:
    backgrounds = (
        ["commissioning"] * 3 + ["provider_trust"] * 2 + ["local_government", "primary_care"]
    )
    for n, background in enumerate(backgrounds, start=1):
        _post(gov, f"P0{n}")
        _hold(gov, f"P0{n}", f"H{n}", date(2023, 1, 1), background=background)
    _post(gov, "P08")  # changed: X left on 30 November, Y (interim, VCSE) from 1 December
    _hold(gov, "P08", "X", date(2023, 1, 1), date(2024, 11, 30))
    _hold(gov, "P08", "Y", date(2024, 12, 1), interim=True, background="vcse")
    _post(gov, "P09")  # changed: vacant 16 October to 31 December 2024 (77 days), then Z
    _hold(gov, "P09", "X2", date(2023, 1, 1), date(2024, 10, 15))
    _hold(gov, "P09", "Z", date(2025, 1, 1), background="other")
    _post(gov, "P10")  # changed: V left on 28 February 2025; vacant since (31 days to AS_OF)
    _hold(gov, "P10", "V", date(2023, 1, 1), date(2025, 2, 28))


def _measures(gov: Gov, system: str = SYSTEM) -> dict[tuple[str, str | None], tuple]:
    return {
        (r.measure, r.breakdown): (r.numerator, r.denominator, r.value)
        for r in leadership(gov.engine, AS_OF)
        if r.system_code == system
    }


def test_ten_posts_three_changed_is_seventy_percent(gov: Gov):
    _ten_posts(gov)
    got = _measures(gov)
    assert got[("stable_6m_share", None)] == (7, 10, 0.7)
    assert got[("stable_12m_share", None)] == (7, 10, 0.7)
    assert got[("turnover_12m", None)] == (3, 10, 0.3)
    assert got[("vacancy_share", None)] == (1, 10, 0.1)
    assert got[("interim_share", None)] == (1, 9, 1 / 9)
    assert got[("median_vacancy_days", None)] == (None, 2, 54.0)
    assert got[("background_share", "commissioning")] == (3, 9, 3 / 9)
    assert got[("background_share", "provider_trust")] == (2, 9, 2 / 9)
    assert got[("background_share", "vcse")] == (1, 9, 1 / 9)
    assert got[("background_share", "other")] == (1, 9, 1 / 9)


def test_across_all_systems(gov: Gov):
    _ten_posts(gov)
    _post(gov, "Q1", system=OTHER)
    _hold(gov, "Q1", "R1", date(2023, 1, 1))
    _post(gov, "Q2", system=OTHER)
    _hold(gov, "Q2", "R2", date(2023, 1, 1), date(2024, 12, 31))
    _hold(gov, "Q2", "R3", date(2025, 1, 1))
    assert _measures(gov, OTHER)[("stable_6m_share", None)] == (1, 2, 0.5)
    assert _measures(gov, "ALL")[("stable_6m_share", None)] == (8, 12, 8 / 12)
    assert _measures(gov, "ALL")[("turnover_12m", None)] == (4, 12, 4 / 12)


def test_edge_cases_vacant_all_period_continuation_and_new_post(gov: Gov):
    _ten_posts(gov)
    _post(gov, "P11")  # vacant since it was created on 1 April 2022: 1,096 days to AS_OF
    _post(gov, "P12")  # interim made substantive the next day: the same holder, stable
    _hold(gov, "P12", "W", date(2023, 1, 1), date(2024, 12, 31), interim=True)
    _hold(gov, "P12", "W", date(2025, 1, 1))
    _post(gov, "P13", start=date(2024, 12, 1))  # new post: not in either stability window
    _hold(gov, "P13", "Q", date(2024, 12, 1))
    got = _measures(gov)
    assert got[("stable_6m_share", None)] == (8, 12, 8 / 12)
    assert got[("vacancy_share", None)] == (2, 13, 2 / 13)
    assert got[("turnover_12m", None)] == (3, 13, 3 / 13)
    assert got[("median_vacancy_days", None)] == (None, 3, 77.0)
    assert got[("interim_share", None)] == (1, 11, 1 / 11)


def test_overlapping_holders_are_refused(gov: Gov):
    _ten_posts(gov)
    with pytest.raises(InvalidRecordError) as err:
        _hold(gov, "P01", "NEW", date(2024, 6, 1))
    assert str(err.value) == (
        "tenure P01-NEW-2024-06-01: start_on: overlaps tenure 'P01-H1-2023-01-01' of post 'P01' (2023-01-01 to now)"
    )
