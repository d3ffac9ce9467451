"""Transparency measures on a hand-made body, every number worked out by hand."""

from __future__ import annotations

from datetime import date

from conftest import SYSTEM, Gov, add_paper
from icsys.governance.measures import MeasureValue, Period, meeting_measures
from icsys.governance.workdays import working_days_before

FY = Period(date(2024, 4, 1), date(2025, 3, 31))


def _by_name(rows: list[MeasureValue], family: str = "transparency") -> dict[str, MeasureValue]:
    return {r.measure: r for r in rows if r.family == family and r.body_id is None}


def _world(gov: Gov) -> None:
    gov.body("B1")
    # M1: held in public; notice 7 days; P1 on time (Mon->Mon: 5 working days), P2 a day late,
    # P3 confidential (not counted), P8 public with no publication date (late).
    gov.meeting("M1", date(2024, 6, 10), notice=date(2024, 6, 3))
    gov.item("M1-1", "M1")
    add_paper(gov, "P1", "M1-1", "public", date(2024, 6, 3))
    add_paper(gov, "P2", "M1-1", "public", date(2024, 6, 4))
    add_paper(gov, "P3", "M1-1", "confidential", date(2024, 6, 10))
    add_paper(gov, "P8", "M1-1", "public", None)
    # M2: held in public on Wed 3 April 2024; notice 14 days. P4 (Tue 26 March) would have 6
    # working days but Good Friday and Easter Monday leave 4: late. P5 (Mon 25 March): 5, on time.
    gov.meeting("M2", date(2024, 4, 3), notice=date(2024, 3, 20))
    gov.item("M2-1", "M2")
    add_paper(gov, "P4", "M2-1", "public", date(2024, 3, 26))
    add_paper(gov, "P5", "M2-1", "public", date(2024, 3, 25))
    # M3: held wholly in private, no notice recorded.
    gov.meeting("M3", date(2024, 9, 10), public=False, private=True)
    gov.item("M3-1", "M3", part="private")
    add_paper(gov, "P6", "M3-1", "confidential", date(2024, 9, 1))
    # M4 cancelled (with a late public paper), M5 outside the period: neither counts.
    gov.meeting("M4", date(2024, 10, 10), status="cancelled")
    gov.item("M4-1", "M4")
    add_paper(gov, "P7", "M4-1", "public", date(2024, 10, 9))
    gov.meeting("M5", date(2025, 5, 1), notice=date(2025, 4, 1))


def test_working_days_skip_weekends_and_bank_holidays():
    assert working_days_before(date(2024, 6, 3), date(2024, 6, 10)) == 5
    assert working_days_before(date(2024, 6, 4), date(2024, 6, 10)) == 4
    assert working_days_before(date(2024, 3, 26), date(2024, 4, 3)) == 4
    assert working_days_before(date(2024, 3, 25), date(2024, 4, 3)) == 5
    assert working_days_before(date(2024, 6, 10), date(2024, 6, 10)) == 0
    assert working_days_before(date(2024, 6, 11), date(2024, 6, 10)) == -1
    assert working_days_before(date(2026, 12, 21), date(2026, 12, 29)) == 4  # 25th, 28th off


def test_transparency_by_hand(gov: Gov):
    _world(gov)
    got = _by_name(meeting_measures(gov.engine, FY, system=SYSTEM))
    assert got["meetings_held"].value == 3
    assert (got["public_meeting_share"].numerator, got["public_meeting_share"].denominator) == (
        2,
        3,
    )
    assert got["public_meeting_share"].value == 2 / 3
    assert (got["papers_on_time_share"].numerator, got["papers_on_time_share"].denominator) == (
        2,
        5,
    )
    assert got["papers_on_time_share"].value == 0.4
    assert got["median_notice_days"].value == 10.5
    assert got["median_notice_days"].denominator == 2


def test_transparency_per_body_and_empty_period(gov: Gov):
    _world(gov)
    gov.body("B2", kind="icb_committee")
    gov.meeting("X1", date(2024, 7, 1), body="B2", public=False, private=True)
    rows = meeting_measures(gov.engine, FY, system=SYSTEM, by_body=True)
    per_body = {(r.body_id, r.measure): r.value for r in rows if r.family == "transparency"}
    assert per_body[("B1", "public_meeting_share")] == 2 / 3
    assert per_body[("B2", "public_meeting_share")] == 0
    assert per_body[("B2", "papers_on_time_share")] is None  # no public papers: no ratio
    assert _by_name(rows)["public_meeting_share"].value == 2 / 4
    empty = _by_name(
        meeting_measures(gov.engine, Period(date(2030, 1, 1), date(2030, 12, 31)), system=SYSTEM)
    )
    assert empty["meetings_held"].value == 0
    assert empty["public_meeting_share"].value is None
    assert empty["median_notice_days"].value is None
