"""Criteria in plain words (``icsys.assessment.words``), as the portal shows them."""

from __future__ import annotations

import pytest

from icsys.assessment.frameworks import Criterion, load_framework
from icsys.assessment.words import describe, is_share, label


def computed(rule: str, cites: tuple[str, ...], **params: float) -> Criterion:
    return Criterion(id="c", title="t", kind="computed", rule=rule, params=params, cites=cites)


@pytest.mark.parametrize(
    ("rule", "cites", "params", "words"),
    [
        (
            "governance.public_meeting_share >= threshold",
            ("governance.public_meeting_share",),
            {"threshold": 0.8},
            "the share of meetings held with a public part is at least 80%",
        ),
        (
            "governance.vacancy_share <= threshold",
            ("governance.vacancy_share",),
            {"threshold": 0.05},
            "the share of leadership posts vacant is at most 5%",
        ),
        (
            "governance.item_share.vcse > threshold",
            ("governance.item_share.vcse",),
            {"threshold": 0.1},
            "the share of agenda items led by VCSE is above 10%",
        ),
        (
            "governance.median_notice_days >= 7",
            ("governance.median_notice_days",),
            {},
            "the median days of notice given of meetings is at least 7",
        ),
        (
            "governance.icp_meetings_held >= threshold and governance.place_lead_coverage >= 1",
            ("governance.icp_meetings_held", "governance.place_lead_coverage"),
            {"threshold": 2},
            (
                "(the number of integrated care partnership meetings held is at least 2) and "
                "(the share of places with a place lead in post is at least 100%)"
            ),
        ),
        (
            "known(structure.imd_score)",
            ("structure.imd_score",),
            {},
            "population-weighted IMD 2025 score has a value",
        ),
    ],
)
def test_common_rules_in_words(rule, cites, params, words):
    assert describe(computed(rule, cites, **params)) == (
        f"Met when {words}; without the data it counts as not met."
    )


def test_trend_rules_name_the_direction_and_the_points_needed():
    text = describe(
        computed(
            "trend_improving(indicator.no_such_indicator, 'decrease')",
            ("indicator.no_such_indicator",),
        )
    )
    assert "“no such indicator”" in text
    assert "lower is better" in text
    assert "at least 12 points" in text
    assert "last 6 points" in text


def test_other_rules_fall_back_to_the_rule_with_its_parameters():
    rule = "governance.item_share.vcse + governance.item_share.healthwatch >= threshold"
    text = describe(
        computed(
            rule, ("governance.item_share.vcse", "governance.item_share.healthwatch"), threshold=0.3
        )
    )
    assert text.startswith(f"Met when the rule {rule} holds (threshold = 0.3)")


def test_evidenced_criteria_quote_their_statement():
    criterion = Criterion(
        id="c",
        title="t",
        kind="evidenced",
        statement="The ICB publishes its scheme of delegation.",
        cites=("evidence: the scheme",),
    )
    assert describe(criterion) == (
        "Met when a reviewer accepts evidence that the ICB publishes its scheme of delegation."
    )


def test_every_shipped_criterion_is_said_in_words():
    for domain in load_framework().framework.domains:
        for c in domain.criteria:
            text = describe(c)
            assert "the rule" not in text, c.id
            assert "governance." not in text, c.id
            assert "structure." not in text, c.id


def test_labels_and_shares():
    assert label("indicator.ae_4hr_performance") == (
        "the indicator “A&E: seen within 4 hours (person-level)”"
    )
    assert label("governance.attendance_rate.local_government") == (
        "the attendance rate of local government members"
    )
    assert label("somewhere.else") == "somewhere.else"
    assert is_share("governance.turnover_12m")
    assert is_share("structure.core20_share")
    assert not is_share("governance.median_notice_days")
    assert not is_share("structure.population")
