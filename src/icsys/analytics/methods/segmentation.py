"""Population segmentation and risk scores (methods.md 5.1-5.3).

* Cambridge Multimorbidity Score: additive weights of 20 condition clusters (general and
  mortality outcomes). Cluster names used as keys (snake case of the methods.md list):
  ``hypertension``, ``anxiety_depression``, ``painful_condition``, ``hearing_loss``,
  ``irritable_bowel_syndrome``, ``asthma``, ``diabetes``, ``coronary_heart_disease``,
  ``chronic_kidney_disease``, ``atrial_fibrillation``, ``constipation``, ``stroke_tia``,
  ``copd``, ``connective_tissue_disorder`` (incl. rheumatoid / inflammatory polyarthropathy),
  ``cancer`` (recent diagnosis), ``alcohol_problems``, ``heart_failure``, ``dementia``,
  ``schizophrenia_bipolar`` (schizophrenia, bipolar or other psychosis), ``epilepsy``.
* Electronic Frailty Index: ``deficits / 36`` and its category (0-4 fit, 5-8 mild, 9-12
  moderate, 13+ severe).
* A Bridges-to-Health style segmenter: a declarative list of rules, each a segment name, a
  priority (1 = highest) and a predicate over a :class:`Person`; a person goes to the
  highest-priority segment whose predicate holds, else to ``default``: exactly one segment each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

CMS_GENERAL_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "hypertension": 0.08,
        "anxiety_depression": 0.50,
        "painful_condition": 0.92,
        "hearing_loss": 0.09,
        "irritable_bowel_syndrome": 0.21,
        "asthma": 0.19,
        "diabetes": 0.75,
        "coronary_heart_disease": 0.49,
        "chronic_kidney_disease": 0.53,
        "atrial_fibrillation": 1.34,
        "constipation": 1.12,
        "stroke_tia": 0.80,
        "copd": 1.46,
        "connective_tissue_disorder": 0.43,
        "cancer": 1.53,
        "alcohol_problems": 0.65,
        "heart_failure": 1.18,
        "dementia": 2.50,
        "schizophrenia_bipolar": 0.64,
        "epilepsy": 0.92,
    },
)
"""Simplified 20-condition general-outcome weights (Payne et al., CMAJ 2020)."""

CMS_MORTALITY_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "hypertension": -2.09,
        "anxiety_depression": 7.04,
        "painful_condition": 16.46,
        "hearing_loss": -3.94,
        "irritable_bowel_syndrome": -1.33,
        "asthma": -2.73,
        "diabetes": 10.23,
        "coronary_heart_disease": 4.22,
        "chronic_kidney_disease": 16.61,
        "atrial_fibrillation": 22.14,
        "constipation": 35.42,
        "stroke_tia": 20.63,
        "copd": 42.50,
        "connective_tissue_disorder": -0.39,
        "cancer": 62.0,
        "alcohol_problems": 12.72,
        "heart_failure": 43.47,
        "dementia": 124.42,
        "schizophrenia_bipolar": 7.2,
        "epilepsy": 18.26,
    },
)
"""Mortality-outcome weights for the same 20 clusters."""

EFI_DEFICIT_COUNT: Final = 36
EfiCategory = Literal["fit", "mild", "moderate", "severe"]
_EFI_UPPER_COUNTS: Final[tuple[tuple[int, EfiCategory], ...]] = (
    (4, "fit"),
    (8, "mild"),
    (12, "moderate"),
)


def cambridge_multimorbidity_score(
    conditions: Iterable[str],
    outcome: Literal["general", "mortality"] = "general",
) -> float:
    """Sum of the weights of the distinct condition clusters present.

    Raises:
        ValueError: for a cluster name not in the weights table.
    """
    weights = CMS_GENERAL_WEIGHTS if outcome == "general" else CMS_MORTALITY_WEIGHTS
    present = set(conditions)
    unknown = sorted(present - weights.keys())
    if unknown:
        raise ValueError(f"unknown Cambridge Multimorbidity Score clusters: {unknown}")
    return math.fsum(weights[name] for name in present)


def efi_score(deficits: int) -> float:
    """Electronic Frailty Index: deficits present out of 36."""
    _check_deficits(deficits)
    return deficits / EFI_DEFICIT_COUNT


def efi_category(deficits: int) -> EfiCategory:
    """eFI category from a deficit count: 0-4 fit, 5-8 mild, 9-12 moderate, 13+ severe."""
    _check_deficits(deficits)
    for upper, category in _EFI_UPPER_COUNTS:
        if deficits <= upper:
            return category
    return "severe"


@dataclass(frozen=True)
class Person:
    """What the segmenter may look at: age, coded conditions, counts and flags."""

    person_id: str
    age: int
    conditions: frozenset[str] = frozenset()
    counts: Mapping[str, int] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()


Predicate = Callable[[Person], bool]


@dataclass(frozen=True)
class SegmentRule:
    """Segment ``name`` applies when ``predicate`` holds; priority 1 beats priority 2."""

    name: str
    priority: int
    predicate: Predicate


def has_any_condition(*conditions: str) -> Predicate:
    """True when the person has at least one of ``conditions``."""
    wanted = frozenset(conditions)
    return lambda p: not wanted.isdisjoint(p.conditions)


def has_any_flag(*flags: str) -> Predicate:
    """True when the person carries at least one of ``flags``."""
    wanted = frozenset(flags)
    return lambda p: not wanted.isdisjoint(p.flags)


def count_at_least(name: str, minimum: int) -> Predicate:
    """True when ``counts[name]`` (0 if absent) is at least ``minimum``."""
    return lambda p: p.counts.get(name, 0) >= minimum


def age_between(low: int, high: int | None = None) -> Predicate:
    """True when ``low <= age`` and, if given, ``age <= high``."""
    return lambda p: p.age >= low and (high is None or p.age <= high)


def any_of(*predicates: Predicate) -> Predicate:
    """True when any predicate holds (a segment is met if any of its elements is true)."""
    return lambda p: any(pred(p) for pred in predicates)


def all_of(*predicates: Predicate) -> Predicate:
    """True when every predicate holds."""
    return lambda p: all(pred(p) for pred in predicates)


BRIDGES_TO_HEALTH_DEFAULT: Final = "Healthy"

BRIDGES_TO_HEALTH_RULES: Final[tuple[SegmentRule, ...]] = (
    SegmentRule(
        "Short period of decline before death",
        1,
        has_any_flag("end_of_life", "palliative_care"),
    ),
    SegmentRule(
        "Frailty",
        2,
        any_of(has_any_condition("dementia"), has_any_flag("severe_frailty", "housebound")),
    ),
    SegmentRule(
        "Limited reserve and serious exacerbations",
        3,
        has_any_condition(
            "heart_failure", "copd", "end_stage_renal_disease", "end_stage_liver_disease"
        ),
    ),
    SegmentRule(
        "Stable but serious disability",
        4,
        has_any_flag("serious_disability", "learning_disability"),
    ),
    SegmentRule(
        "Chronic conditions, normal function", 5, count_at_least("long_term_conditions", 1)
    ),
    SegmentRule(
        "Maternal and infant health", 6, any_of(has_any_flag("pregnant"), age_between(0, 0))
    ),
    SegmentRule("Acutely ill (curable)", 7, count_at_least("acute_episodes_12m", 1)),
)
"""Lynn et al. (2007) segments in the usual priority order (end of life > frailty > organ
failure > ...); everyone else is :data:`BRIDGES_TO_HEALTH_DEFAULT`. The element definitions
(flag, condition and count names) are this platform's illustrative configuration, not Lynn's."""


def segment_person(person: Person, rules: Iterable[SegmentRule], default: str) -> str:
    """The highest-priority segment whose predicate holds, else ``default``."""
    for rule in _ordered(rules):
        if rule.predicate(person):
            return rule.name
    return default


def segment_population(
    people: Iterable[Person],
    rules: Iterable[SegmentRule],
    default: str,
) -> dict[str, str]:
    """Person id -> segment, one segment per person.

    Raises:
        ValueError: for duplicate person ids or duplicate rule names or priorities.
    """
    ordered = _ordered(rules)
    out: dict[str, str] = {}
    for person in people:
        if person.person_id in out:
            raise ValueError(f"person {person.person_id!r} appears twice")
        out[person.person_id] = segment_person(person, ordered, default)
    return out


def _ordered(rules: Iterable[SegmentRule]) -> tuple[SegmentRule, ...]:
    ordered = tuple(sorted(rules, key=lambda r: r.priority))
    if len({r.priority for r in ordered}) != len(ordered):
        raise ValueError("segment rule priorities must be unique")
    if len({r.name for r in ordered}) != len(ordered):
        raise ValueError("segment rule names must be unique")
    return ordered


def _check_deficits(deficits: int) -> None:
    if not 0 <= deficits <= EFI_DEFICIT_COUNT:
        raise ValueError(f"deficit count must be 0-{EFI_DEFICIT_COUNT}, got {deficits!r}")
