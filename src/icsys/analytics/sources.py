"""What indicators can be built from: sources, their fields, bases, levels and breakdowns.

A *source* is a lake feed (or a table derived from one, or the register's population
estimates) seen through one time rule:

* ``snapshot`` — as at the last day of each period (the registered or resident population,
  open waiting-list pathways, open social care services);
* ``events`` — rows whose event date falls in the period (admissions, attendances, deaths…).

Person-level sources count people in areas by the indicator's *basis*:

* ``registered`` — the practice a person is registered with on the last day of the period
  (practice → PCN → sub-ICB location → system → NHS region → England); events are counted for
  the person as they were at the end of the event's month (registered and alive then, with
  their practice, age and conditions then), and a quarter's or a year's events are the sum of
  its months' (distinct people with events: as they were on the period's last day);
* ``resident`` — the LSOA a person lives in (LSOA → place → sub-ICB location → system → region →
  England). The population is the persons feed, or the ONS mid-year estimates
  (``ons_population``) from the structure register; events are placed by the LSOA on the event
  (else the person's) with the age at the event;
* ``provider`` — organisation returns (A&E provider files, workforce) by the provider's system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from icsys.feeds.codes import CLUSTERS

Basis = Literal["registered", "resident", "provider"]
PeriodType = Literal["month", "quarter", "financial_year"]
PERIOD_TYPES: Final[tuple[PeriodType, ...]] = ("month", "quarter", "financial_year")

LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "registered": ("pcn", "place", "sub_icb", "system", "region", "england"),
    "resident": ("place", "sub_icb", "system", "region", "england"),
    "provider": ("trust", "system", "region", "england"),
}
"""Levels each basis is published at, finest first (``place`` on the registered basis only when
places are configured from practices, PCNs or sub-ICB locations)."""

BREAKDOWNS: Final[tuple[str, ...]] = (
    "sex",
    "age_band",
    "imd_quintile",
    "imd_decile",
    "core20",
    "ethnicity_group",
)
"""Breakdowns, each published on its own (not crossed), besides the total (``all``)."""

AGE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "0-17"),
    (18, "18-34"),
    (35, "35-49"),
    (50, "50-64"),
    (65, "65-74"),
    (75, "75-84"),
    (85, "85+"),
)
"""Breakdown age bands: (first age, label)."""

ETHNICITY_GROUPS: Final[dict[str, str]] = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
}
"""NHS ethnic category → the five census groups; ``Z`` and empty are ``Not stated``."""
NOT_STATED: Final = "Not stated"
UNKNOWN: Final = "U"
SEXES: Final[dict[str, str]] = {"1": "M", "2": "F"}
"""NHS sex code → breakdown value; 9 and X are ``U``."""

LTC_CLUSTERS: Final[tuple[str, ...]] = tuple(c for c in CLUSTERS if c != "learning_disability")
"""Clusters counted as long-term conditions for multimorbidity (learning disability is a
population group, not a condition, and is left out of the counts and the CMS)."""

CMS_CLUSTER_WEIGHTS: Final[dict[str, str]] = {
    "hypertension": "hypertension",
    "diabetes": "diabetes",
    "copd": "copd",
    "asthma": "asthma",
    "chd": "coronary_heart_disease",
    "heart_failure": "heart_failure",
    "stroke_tia": "stroke_tia",
    "ckd": "chronic_kidney_disease",
    "dementia": "dementia",
    "depression": "anxiety_depression",
    "smi": "schizophrenia_bipolar",
    "cancer": "cancer",
    "atrial_fibrillation": "atrial_fibrillation",
}
"""Feed cluster → Cambridge Multimorbidity Score condition (the 13 of its 20 the feeds carry)."""

CMS_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "0"),
    (1, "0.01-0.99"),
    (100, "1.00-1.99"),
    (200, "2.00-2.99"),
    (300, "3.00+"),
)
"""CMS bands on the score in hundredths (integer sums: no rounding at the band edges)."""

SEGMENTS: Final[tuple[str, ...]] = (
    "Short period of decline before death",
    "Frailty",
    "Limited reserve and serious exacerbations",
    "Stable but serious disability",
    "Chronic conditions, normal function",
    "Maternal and infant health",
    "Acutely ill (curable)",
    "Healthy",
)
"""Bridges to Health segments in priority order (methods.segmentation), then the default."""

DEMOGRAPHIC_FIELDS: Final = frozenset(
    {"age", "sex", "ethnicity_group", "imd_decile", "imd_quintile", "core20"}
)
PERSON_FIELDS: Final = DEMOGRAPHIC_FIELDS | {
    "n_ltc",
    "cms_band",
    "segment",
    *(f"has_{c}" for c in CLUSTERS),
}
"""Fields of a person in the registered or resident population at the period end."""

CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "ethnicity_group": (*sorted(set(ETHNICITY_GROUPS.values())), NOT_STATED),
    "cms_band": tuple(label for _, label in CMS_BANDS),
    "segment": SEGMENTS,
}
"""Fields an indicator may split into categories, with every value they take."""


@dataclass(frozen=True)
class Source:
    """One source: its lake feed, time rule, bases and fields (own fields and numeric ones)."""

    name: str
    feed: str | None
    time: Literal["snapshot", "events"]
    bases: tuple[Basis, ...]
    own_fields: frozenset[str] = frozenset()
    numeric: frozenset[str] = frozenset()
    person_level: bool = True
    event_date: str | None = None
    description: str = ""
    breakdowns: tuple[str, ...] = field(default=BREAKDOWNS)

    @property
    def fields(self) -> frozenset[str]:
        return (
            self.own_fields | self.numeric | (PERSON_FIELDS if self.person_level else frozenset())
        )

    def fields_for(self, basis: Basis) -> frozenset[str]:
        """Fields usable on ``basis``: resident-basis events know only demographics."""
        if not self.person_level:
            return self.own_fields | self.numeric
        person = (
            DEMOGRAPHIC_FIELDS
            if basis == "resident" and self.name != "population"
            else PERSON_FIELDS
        )
        if self.name == "ons_population":
            person = DEMOGRAPHIC_FIELDS - {"ethnicity_group"}
        return self.own_fields | self.numeric | person


_AE_PROVIDER_COUNTS = frozenset(
    f"{stem}_{kind}"
    for stem in ("attendances", "attendances_booked", "over_4h", "over_4h_booked")
    for kind in ("type1", "type2", "other")
) | {
    "dta_wait_4_12h",
    "dta_wait_over_12h",
    "emergency_admissions_type1",
    "emergency_admissions_type2",
    "emergency_admissions_other",
    "emergency_admissions_not_via_ae",
}

SOURCES: Final[dict[str, Source]] = {
    s.name: s
    for s in (
        Source(
            "population",
            None,
            "snapshot",
            ("registered", "resident"),
            description="People registered (or resident) on the last day of the period, alive",
        ),
        Source(
            "ons_population",
            None,
            "snapshot",
            ("resident",),
            own_fields=frozenset({"age", "sex"}),
            person_level=False,
            description="ONS mid-year population estimates by LSOA, sex and single year of age",
            breakdowns=("sex", "age_band", "imd_quintile", "imd_decile", "core20"),
        ),
        Source(
            "hospital_spells",
            "hospital_spells",
            "events",
            ("registered", "resident"),
            own_fields=frozenset({"admission_type", "admission_method", "provider_code"}),
            numeric=frozenset({"cost"}),
            event_date="admission_date",
            description="Hospital provider spells admitted in the period",
        ),
        Source(
            "ae_attendances",
            "ae_attendances",
            "events",
            ("registered", "resident"),
            own_fields=frozenset({"department_type", "disposal", "provider_code", "wait_minutes"}),
            event_date="arrival_time",
            description="A&E attendances arriving in the period (wait_minutes: to departure)",
        ),
        Source(
            "outpatient_appointments",
            "outpatient_appointments",
            "events",
            ("registered", "resident"),
            own_fields=frozenset({"appointment_type", "attendance_outcome", "provider_code"}),
            event_date="appointment_date",
            description="Outpatient appointments dated in the period",
        ),
        Source(
            "community_contacts",
            "community_contacts",
            "events",
            ("registered", "resident"),
            own_fields=frozenset({"attended", "provider_code"}),
            event_date="contact_date",
            description="Community health service contacts in the period",
        ),
        Source(
            "mental_health_contacts",
            "mental_health_contacts",
            "events",
            ("registered", "resident"),
            own_fields=frozenset({"attended", "provider_code"}),
            event_date="contact_date",
            description="Mental health service contacts in the period",
        ),
        Source(
            "social_care_services",
            "social_care_services",
            "snapshot",
            ("registered", "resident"),
            own_fields=frozenset({"service_type", "long_term"}),
            numeric=frozenset({"weekly_cost"}),
            description="Adult social care services open on the last day of the period",
        ),
        Source(
            "waiting_list",
            "waiting_list",
            "snapshot",
            ("registered", "resident"),
            own_fields=frozenset({"treatment_function", "weeks_waiting", "provider_code"}),
            description="RTT pathways open on the last day of the period (weeks_waiting so far)",
        ),
        Source(
            "deaths",
            "persons",
            "events",
            ("resident",),
            event_date="date_of_death",
            description="Deaths in the period (persons feed), by the LSOA of residence",
        ),
        Source(
            "workforce",
            "workforce",
            "events",
            ("provider",),
            own_fields=frozenset({"staff_group"}),
            numeric=frozenset({"fte_in_post", "vacancies", "joiners", "leavers"}),
            person_level=False,
            event_date="month",
            description="Workforce returns for the months of the period, by organisation",
            breakdowns=(),
        ),
        Source(
            "ae_provider_monthly",
            "ae_provider_monthly",
            "events",
            ("provider",),
            numeric=_AE_PROVIDER_COUNTS,
            person_level=False,
            event_date="period",
            description="Published monthly A&E provider files for the months of the period",
            breakdowns=(),
        ),
    )
}
