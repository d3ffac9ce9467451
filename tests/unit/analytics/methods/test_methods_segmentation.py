"""CMS, eFI and the rule-based segmenter (methods.md 5.1-5.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icsys.analytics.methods.segmentation import (
    BRIDGES_TO_HEALTH_DEFAULT,
    BRIDGES_TO_HEALTH_RULES,
    CMS_GENERAL_WEIGHTS,
    CMS_MORTALITY_WEIGHTS,
    Person,
    SegmentRule,
    age_between,
    all_of,
    cambridge_multimorbidity_score,
    count_at_least,
    efi_category,
    efi_score,
    has_any_condition,
    has_any_flag,
    segment_person,
    segment_population,
)


def test_cms_worked_example():
    score = cambridge_multimorbidity_score({"dementia", "atrial_fibrillation", "hypertension"})
    assert score == pytest.approx(3.92)


def test_cms_mortality_weights_and_duplicates_count_once():
    assert cambridge_multimorbidity_score(["copd", "copd", "cancer"], "mortality") == pytest.approx(
        104.5
    )
    assert cambridge_multimorbidity_score([]) == 0


def test_cms_tables_cover_the_same_twenty_clusters():
    assert len(CMS_GENERAL_WEIGHTS) == 20
    assert CMS_GENERAL_WEIGHTS.keys() == CMS_MORTALITY_WEIGHTS.keys()
    assert sum(CMS_GENERAL_WEIGHTS.values()) == pytest.approx(
        0.08
        + 0.50
        + 0.92
        + 0.09
        + 0.21
        + 0.19
        + 0.75
        + 0.49
        + 0.53
        + 1.34
        + 1.12
        + 0.80
        + 1.46
        + 0.43
        + 1.53
        + 0.65
        + 1.18
        + 2.50
        + 0.64
        + 0.92
    )
    assert sum(CMS_MORTALITY_WEIGHTS.values()) == pytest.approx(
        -2.09
        + 7.04
        + 16.46
        - 3.94
        - 1.33
        - 2.73
        + 10.23
        + 4.22
        + 16.61
        + 22.14
        + 35.42
        + 20.63
        + 42.50
        - 0.39
        + 62
        + 12.72
        + 43.47
        + 124.42
        + 7.2
        + 18.26
    )


def test_cms_rejects_unknown_clusters():
    with pytest.raises(ValueError, match="unknown"):
        cambridge_multimorbidity_score({"gout"})


@pytest.mark.parametrize(
    ("deficits", "category"),
    [
        (0, "fit"),
        (4, "fit"),
        (5, "mild"),
        (8, "mild"),
        (9, "moderate"),
        (12, "moderate"),
        (13, "severe"),
        (36, "severe"),
    ],
)
def test_efi_categories(deficits, category):
    assert efi_category(deficits) == category


@given(st.integers(min_value=0, max_value=36))
def test_efi_category_agrees_with_the_score_cut_points(deficits):
    # Independent statement of the quartile cut points on the 0-1 score.
    score = efi_score(deficits)
    expected = (
        "fit"
        if score <= 0.12
        else "mild"
        if score <= 0.24
        else "moderate"
        if score <= 0.36
        else "severe"
    )
    assert efi_category(deficits) == expected
    assert score == deficits / 36


def test_efi_rejects_impossible_counts():
    with pytest.raises(ValueError, match="deficit"):
        efi_category(37)


def _person(pid="p", age=50, conditions=(), counts=None, flags=()):
    return Person(pid, age, frozenset(conditions), counts or {}, frozenset(flags))


@pytest.mark.parametrize(
    ("person", "segment"),
    [
        (
            _person(flags=["palliative_care"], conditions=["dementia"]),
            "Short period of decline before death",
        ),
        (_person(conditions=["dementia", "copd"]), "Frailty"),
        (
            _person(conditions=["copd"], counts={"long_term_conditions": 1}),
            "Limited reserve and serious exacerbations",
        ),
        (
            _person(flags=["learning_disability"], counts={"long_term_conditions": 2}),
            "Stable but serious disability",
        ),
        (
            _person(counts={"long_term_conditions": 1, "acute_episodes_12m": 1}),
            "Chronic conditions, normal function",
        ),
        (_person(age=0), "Maternal and infant health"),
        (
            _person(age=30, flags=["pregnant"], counts={"acute_episodes_12m": 2}),
            "Maternal and infant health",
        ),
        (_person(counts={"acute_episodes_12m": 1}), "Acutely ill (curable)"),
        (_person(age=40), "Healthy"),
    ],
)
def test_bridges_to_health_priorities(person, segment):
    assert segment_person(person, BRIDGES_TO_HEALTH_RULES, BRIDGES_TO_HEALTH_DEFAULT) == segment


def test_rule_order_is_by_priority_not_list_order():
    rules = [
        SegmentRule("Stay well", 4, count_at_least("ltc", 1)),
        SegmentRule("Die well", 1, has_any_flag("palliative")),
        SegmentRule("Age well", 3, all_of(age_between(65), count_at_least("ltc", 4))),
        SegmentRule(
            "Start well", 2, all_of(age_between(0, 23), has_any_condition("asthma_admission"))
        ),
    ]
    people = [
        _person("a", 80, counts={"ltc": 5}),
        _person("b", 80, counts={"ltc": 2}),
        _person("c", 12, conditions=["asthma_admission"], counts={"ltc": 1}),
        _person("d", 70, counts={"ltc": 6}, flags=["palliative"]),
        _person("e", 30),
    ]
    assert segment_population(people, rules, "Live well") == {
        "a": "Age well",
        "b": "Stay well",
        "c": "Start well",
        "d": "Die well",
        "e": "Live well",
    }


def test_rule_list_and_people_are_validated():
    same_priority = [SegmentRule("x", 1, has_any_flag("a")), SegmentRule("y", 1, has_any_flag("b"))]
    with pytest.raises(ValueError, match="priorities"):
        segment_population([_person()], same_priority, "z")
    same_name = [SegmentRule("x", 1, has_any_flag("a")), SegmentRule("x", 2, has_any_flag("b"))]
    with pytest.raises(ValueError, match="names"):
        segment_population([_person()], same_name, "z")
    with pytest.raises(ValueError, match="twice"):
        segment_population([_person("a"), _person("a")], BRIDGES_TO_HEALTH_RULES, "z")


@given(
    st.lists(
        st.builds(
            Person,
            person_id=st.uuids().map(str),
            age=st.integers(min_value=0, max_value=110),
            conditions=st.frozensets(
                st.sampled_from(["dementia", "copd", "heart_failure", "asthma"])
            ),
            counts=st.dictionaries(
                st.sampled_from(["long_term_conditions", "acute_episodes_12m"]),
                st.integers(min_value=0, max_value=5),
            ),
            flags=st.frozensets(
                st.sampled_from(
                    ["pregnant", "palliative_care", "housebound", "learning_disability"]
                )
            ),
        ),
        unique_by=lambda p: p.person_id,
        max_size=30,
    ),
)
def test_everyone_lands_in_exactly_one_known_segment(people):
    names = {r.name for r in BRIDGES_TO_HEALTH_RULES} | {BRIDGES_TO_HEALTH_DEFAULT}
    result = segment_population(people, BRIDGES_TO_HEALTH_RULES, BRIDGES_TO_HEALTH_DEFAULT)
    assert set(result) == {p.person_id for p in people}
    assert set(result.values()) <= names
    for person in people:
        matching = [r for r in BRIDGES_TO_HEALTH_RULES if r.predicate(person)]
        expected = (
            min(matching, key=lambda r: r.priority).name if matching else BRIDGES_TO_HEALTH_DEFAULT
        )
        assert result[person.person_id] == expected
