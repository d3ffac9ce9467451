"""Partner-voice measures on a hand-made board, every number worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import SYSTEM, Gov
from icsys.errors import InvalidRecordError
from icsys.governance.measures import Period, meeting_measures

FY = Period(date(2024, 4, 1), date(2025, 3, 31))


def _world(gov: Gov) -> None:
    gov.body("B1")
    gov.member("mA", "A", "local_government")
    gov.member("mB", "B", "vcse")
    gov.member("mC", "C", "nhs_provider", role="observer", voting=False)
    # D represents primary care, then social care: counted in each sector in turn.
    gov.member("mD1", "D", "primary_care", end=date(2024, 6, 30))
    gov.member("mD2", "D", "social_care", start=date(2024, 7, 1))
    gov.member("mE", "E", "nhs_commissioner", role="chair")
    gov.meeting("M1", date(2024, 5, 1))
    gov.meeting("M2", date(2024, 9, 1))
    gov.meeting("M3", date(2024, 10, 1), status="cancelled")
    for person, status in (
        ("A", "present"),
        ("B", "apologies"),
        ("C", "present"),
        ("D", "present"),
        ("E", "present"),
    ):
        gov.save("attendance", meeting_id="M1", person_id=person, status=status)
    gov.save(
        "attendance", meeting_id="M2", person_id="A", status="deputy", deputy_name="A's deputy"
    )
    gov.save("attendance", meeting_id="M2", person_id="B", status="absent")
    gov.save("attendance", meeting_id="M2", person_id="D", status="present")
    # E sent nothing to M2: counted absent.
    gov.item("M1-1", "M1", sector="local_government", contributions={"vcse": "consulted"})
    gov.item(
        "M1-2",
        "M1",
        seq=2,
        sector="nhs_commissioner",
        contributions={"vcse": "co_produced", "healthwatch": "proposed"},
    )
    gov.item("M2-1", "M2", sector="mental_health")
    gov.item("M2-2", "M2", seq=2)
    gov.item("M3-1", "M3", sector="local_government")  # cancelled meeting: not counted
    gov.decision("D1", "M1-1")
    gov.save("votes", decision_id="D1", person_id="A", vote="for")
    gov.save("votes", decision_id="D1", person_id="B", vote="against")
    gov.decision("D2", "M1-2", contributions={"social_care": "proposed"})
    gov.save("dissents", decision_id="D2", person_id="D", reason="No primary care capacity")
    gov.decision("D3", "M2-1", contributions={"primary_care": "consulted"})
    gov.decision("D4", "M2-2", contributions={"local_government": "co_produced"})
    gov.decision("D5", "M3-1")  # on a cancelled meeting: not counted


def _values(
    gov: Gov, measure: str
) -> dict[str | None, tuple[float | None, float | None, float | None]]:
    rows = meeting_measures(gov.engine, FY, system=SYSTEM)
    return {
        r.breakdown: (r.numerator, r.denominator, r.value)
        for r in rows
        if r.measure == measure and r.body_id is None
    }


def test_attendance_by_sector(gov: Gov):
    _world(gov)
    got = _values(gov, "attendance_rate")
    assert got["all"] == (5, 8, 5 / 8)
    assert got["local_government"] == (2, 2, 1.0)
    assert got["vcse"] == (0, 2, 0.0)
    assert got["primary_care"] == (1, 1, 1.0)  # D before July
    assert got["social_care"] == (1, 1, 1.0)  # D from July
    assert got["nhs_commissioner"] == (1, 2, 0.5)
    assert "nhs_provider" not in got  # observers are not expected


def test_item_share_by_sector(gov: Gov):
    _world(gov)
    got = {k: v[2] for k, v in _values(gov, "item_share").items()}
    assert got == {
        "local_government": 0.25,
        "vcse": 0.25,
        "social_care": 0.0,
        "healthwatch": 0.25,
        "primary_care": 0.0,
        "mental_health": 0.25,
        "non_nhs": 0.5,
    }


def test_decision_share_and_dissent(gov: Gov):
    _world(gov)
    got = {k: v[2] for k, v in _values(gov, "decision_share").items()}
    assert got == {
        "local_government": 0.5,
        "vcse": 0.25,
        "social_care": 0.25,
        "healthwatch": 0.25,
        "primary_care": 0.0,
        "mental_health": 0.25,
        "non_nhs": 0.75,
    }
    assert _values(gov, "dissent_rate")[None] == (2, 4, 0.5)


def test_attendance_rules(gov: Gov):
    _world(gov)
    with pytest.raises(InvalidRecordError) as err:
        gov.save("attendance", meeting_id="M3", person_id="A", status="present")
    assert str(err.value) == (
        "attendance M3/A: meeting_id: meeting 'M3' is cancelled: attendance is recorded only for held meetings"
    )
    gov.person("Z")
    with pytest.raises(InvalidRecordError) as err:
        gov.save("attendance", meeting_id="M1", person_id="Z", status="present")
    assert (
        str(err.value)
        == "attendance M1/Z: person_id: 'Z' is not a member of body 'B1' on 2024-05-01"
    )
    with pytest.raises(InvalidRecordError) as err:
        gov.save("votes", decision_id="D1", person_id="C", vote="for")
    assert (
        str(err.value)
        == "vote D1/C: person_id: 'C' is not a voting member of body 'B1' on 2024-05-01"
    )
