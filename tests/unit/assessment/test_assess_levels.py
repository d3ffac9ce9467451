"""The shipped framework on a system with hand-set measures: every domain's stage by hand."""

from __future__ import annotations

from datetime import date

import pytest

from icsys.assessment.evaluate import evaluate_system
from icsys.assessment.evidence import EvidenceStatus
from icsys.assessment.frameworks import Stage, load_framework
from icsys.assessment.frameworks.loader import from_data
from icsys.assessment.measures import HandSetMeasures

AS_OF = date(2025, 3, 31)
S = "E54000901"


def status(outcome, reviewer_system=None):
    return EvidenceStatus(
        "EV1", outcome, "statement", "Reviewer", reviewer_system, date(2025, 1, 1)
    )


MEASURES = {
    # leadership_balance
    "governance.delegated_to_place_share": 0.04,
    "governance.place_lead_coverage": 1.0,
    # equal_partnership: everything met except VCSE attendance (and no strategy evidence)
    "governance.item_share.non_nhs": 0.3,  # exactly the threshold: >= is met
    "governance.decision_share.non_nhs": 0.5,
    "governance.attendance_rate.local_government": 0.8,
    "governance.attendance_rate.vcse": 0.6,
    "governance.item_share.primary_care": 0.1,
    "governance.item_share.mental_health": 0.06,
    "governance.decision_share.social_care": 0.05,
    "governance.icp_meetings_held": 4,
    # place_and_neighbourhood
    "governance.place_board_coverage": 0.5,
    "structure.pcn_practice_share": 1.0,
    # population_health
    "indicator.sii_emergency_admissions": -150.0,
    # shared_outcomes
    "governance.decisions_linked_share": 0.25,
    "governance.delegated_to_provider_collaborative_share": 0.0,
    # leadership
    "governance.stable_12m_share": 0.9,
    "governance.interim_share": 0.1,
    "governance.vacancy_share": 0.0,
    "governance.turnover_12m": 0.5,
    # transparency: the notice measure is missing
    "governance.public_meeting_share": 0.79,
    "governance.papers_on_time_share": 0.7,
}
FLAT = [60.0, 61.0] * 10
RISING = [
    (date(2023 + i // 12, 1 + i % 12, 1), v) for i, v in enumerate([*FLAT, 80.0, 81.0, 82.0, 83.0])
]
EVIDENCE = {
    "system_wide_solutions.elective_recovery_plan": status("accepted"),
    "system_wide_solutions.one_workforce_plan": status("rejected"),
    "system_wide_solutions.inequalities_plan": status("pending"),
    "leadership_balance.scheme_of_delegation": status("accepted"),
    "place_and_neighbourhood.neighbourhood_teams": status("accepted"),
    "shared_outcomes.shared_outcomes_framework": status("rejected"),
    "leadership.leadership_pipeline": status("accepted", reviewer_system="E54000902"),
}


@pytest.fixture(scope="module")
def result():
    source = HandSetMeasures(
        {S: MEASURES},
        {S: {"indicator.hypertension_treated_to_target": RISING}},
    )
    return evaluate_system(load_framework().framework, S, AS_OF, source, EVIDENCE)


def domain(result, name):
    return next(d for d in result.domains if d.domain == name)


def test_system_wide_solutions(result):
    # two computed criteria have no indicator data and are excluded (missing: exclude);
    # evidence: 1 accepted of 3 (weights 1) -> 1/3 >= 0.3 developing; the gate criterion for
    # maturing (elective recovery plan) is met but 1/3 < 0.55
    d = domain(result, "system_wide_solutions")
    outcomes = {c.criterion: c.outcome for c in d.criteria}
    assert outcomes == {
        "elective_recovery_plan": "met",
        "one_workforce_plan": "not_met",
        "long_waits_not_worsening": "no_data",
        "urgent_care_not_worsening": "no_data",
        "inequalities_plan": "pending",
    }
    assert d.score == pytest.approx(1 / 3)
    assert d.stage is Stage.DEVELOPING


def test_leadership_balance_is_held_at_developing_by_its_gate(result):
    # 2 of 3 met = 0.667 >= 0.55, but delegation to place (required for maturing) is not met
    d = domain(result, "leadership_balance")
    assert d.score == pytest.approx(2 / 3)
    assert d.gates_unmet == ("delegation_to_place",)
    assert d.stage is Stage.DEVELOPING


def test_equal_partnership_reaches_thriving(result):
    # weights: 1,2,1,1,1,1,1,1,1 = 10; not met: vcse (1), strategy without evidence (1) -> 8/10
    d = domain(result, "equal_partnership")
    outcomes = {c.criterion: c.outcome for c in d.criteria}
    assert outcomes["non_nhs_lead_items"] == "met"
    assert outcomes["vcse_attends"] == "not_met"
    assert outcomes["partnership_strategy"] == "no_evidence"
    assert d.score == pytest.approx(0.8)
    assert d.stage is Stage.THRIVING


def test_place_and_neighbourhood_is_emerging_without_place_boards(result):
    # score 2/4 (PCNs, teams) would be developing, but place boards gate developing itself
    d = domain(result, "place_and_neighbourhood")
    assert d.score == pytest.approx(0.5)
    assert d.gates_unmet == ("place_boards",)
    assert d.stage is Stage.EMERGING


def test_population_health(result):
    # gradient measured (1) + hypertension improving (1) of 1 + 1 + PHM evidence (2) = 2/4
    d = domain(result, "population_health")
    outcomes = {c.criterion: c.outcome for c in d.criteria}
    assert outcomes == {
        "inequality_gradient_measured": "met",
        "admissions_gap_narrowing": "no_data",
        "emergency_admissions_not_worsening": "no_data",
        "hypertension_improving": "met",
        "population_health_management": "no_evidence",
    }
    assert d.score == pytest.approx(0.5)
    assert d.stage is Stage.DEVELOPING


def test_shared_outcomes(result):
    # decisions linked 0.25 >= 0.25 (weight 2); collaboratives 0 is not > 0; evidence rejected
    d = domain(result, "shared_outcomes")
    assert d.score == pytest.approx(2 / 4)
    assert d.stage is Stage.DEVELOPING


def test_leadership(result):
    # stable (2) + interims 0.1 <= 0.1 (1) + vacancies (1) + peer-reviewed pipeline (1) of 6
    d = domain(result, "leadership")
    assert d.score == pytest.approx(5 / 6)
    assert d.stage is Stage.THRIVING
    pipeline = next(c for c in d.criteria if c.criterion == "leadership_pipeline")
    assert "peer review by E54000902" in pipeline.evidence.link


def test_transparency_counts_missing_data_as_unmet(result):
    # public 0.79 < 0.8 (weight 2, gate maturing); papers met (2); notice missing (1) -> 2/5
    d = domain(result, "transparency")
    outcomes = {c.criterion: c.outcome for c in d.criteria}
    assert outcomes["notice_given"] == "no_data"
    assert d.score == pytest.approx(0.4)
    assert d.stage is Stage.DEVELOPING


def test_overall_is_the_floored_mean_capped_one_above_the_lowest(result):
    # stages 2,2,4,1,2,2,4,2 -> mean 19/8 = 2.375 -> 2; lowest 1 + 1 = 2
    assert result.overall_score == pytest.approx(19 / 8)
    assert result.overall is Stage.DEVELOPING


def test_explain_rows_give_value_rule_threshold_outcome_and_evidence(result):
    rows = {f"{r['domain']}.{r['criterion']}": r for r in (c.row() for c in result.criteria())}
    public = rows["transparency.meets_in_public"]
    assert public["value"] == 0.79
    assert public["rule"] == "governance.public_meeting_share >= threshold"
    assert public["threshold"] == "threshold=0.8"
    assert public["outcome"] == "not_met"
    assert public["cites"] == "governance.public_meeting_share"
    assert rows["leadership_balance.scheme_of_delegation"]["evidence"].startswith(
        "evidence EV1: accepted"
    )
    assert len(rows) == sum(len(d.criteria) for d in load_framework().framework.domains)


def small_framework(cap):
    return from_data(
        {
            "id": "tiny",
            "version": 1,
            "title": "Tiny",
            "stages": {"developing": 0.3, "maturing": 0.55, "thriving": 0.8},
            "overall": {"cap_above_lowest": cap},
            "domains": [
                {
                    "id": f"d{i}",
                    "title": f"D{i}",
                    "criteria": [
                        {
                            "id": "c",
                            "title": "C",
                            "kind": "computed",
                            "rule": f"structure.x{i} > 0",
                            "cites": [f"structure.x{i}"],
                        }
                    ],
                }
                for i in range(3)
            ],
        },
        "test",
    ).framework


@pytest.mark.parametrize(("cap", "expected"), [(1, Stage.DEVELOPING), (None, Stage.MATURING)])
def test_the_cap_above_the_lowest_domain(cap, expected):
    # stages 4, 4, 1 -> mean 3 -> maturing; capped at 1 + 1 = developing
    source = HandSetMeasures({S: {"structure.x0": 1, "structure.x1": 1, "structure.x2": -1}})
    result = evaluate_system(small_framework(cap), S, AS_OF, source)
    assert [d.stage for d in result.domains] == [Stage.THRIVING, Stage.THRIVING, Stage.EMERGING]
    assert result.overall is expected
