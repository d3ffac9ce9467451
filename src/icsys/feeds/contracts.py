"""Feed contracts: one table per partner feed, its columns, types, allowed codes and keys.

A contract is what a partner must send and what the analytics engine may rely on in the lake.
Person-level feeds identify people by ``nhs_number`` (checked, then replaced at ingest by a keyed
pseudonym) or by an already-pseudonymised ``person_id``; in the lake there is only ``person_id``.
``docs/feeds.md`` is generated from these definitions by :func:`render_markdown` (a test checks
that the committed file is current).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from icsys.domain.levels import Level
from icsys.errors import NotFoundError
from icsys.feeds.codes import (
    ADMISSION_METHOD,
    ADMISSION_TYPE,
    AE_DISPOSAL,
    ATTENDANCE_OUTCOME,
    ATTENDED,
    CLUSTERS,
    CONTACT_ATTENDED,
    DEPARTMENT_TYPE,
    ETHNICITY,
    FIRST_ATTENDANCE,
    SEX,
    SOCIAL_CARE_SERVICE,
    STAFF_GROUP,
)

CONTRACT_VERSION = "1.0"
PERSON_ID = "person_id"
NHS_NUMBER = "nhs_number"


class ColType(StrEnum):
    """Column types as sent (text) and as stored in the lake (Parquet)."""

    STRING = "string"  # text, trimmed; lake: string
    CODE = "code"  # text from a closed list of codes; lake: string
    DATE = "date"  # YYYY-MM-DD; lake: date32
    MONTH = "month"  # YYYY-MM (or YYYY-MM-DD, day ignored); lake: date32, first of month
    DATE_OR_MONTH = "date_or_month"  # YYYY-MM-DD or YYYY-MM; lake: date32 (first of month)
    TIMESTAMP = "timestamp"  # YYYY-MM-DD HH:MM[:SS] or with a T; lake: timestamp[us]
    INT = "int"  # whole number; lake: int64
    FLOAT = "float"  # number; lake: float64


LAKE_TYPES = {
    ColType.STRING: "string",
    ColType.CODE: "string",
    ColType.DATE: "date32",
    ColType.MONTH: "date32",
    ColType.DATE_OR_MONTH: "date32",
    ColType.TIMESTAMP: "timestamp[us]",
    ColType.INT: "int64",
    ColType.FLOAT: "float64",
}


@dataclass(frozen=True)
class Column:
    """One column of a feed.

    ``required``: the header must have it (else it is optional and may be absent: stored null).
    ``nullable``: a value may be empty. ``codes``: allowed values (code → meaning).
    ``register``: levels of the structure register the code must be in force in, as at the
    contract's ``event_date`` column (or at any time, for feeds without one).
    ``source``: the published header name, for files loaded with their own column names.
    """

    name: str
    type: ColType
    description: str
    required: bool = True
    nullable: bool = False
    codes: dict[str, str] | None = None
    register: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    not_future: bool = False
    source: str | None = None


@dataclass(frozen=True)
class Derived:
    """A column added at ingest by grouping the codes of another column."""

    name: str
    source: str
    groups: dict[str, str]
    description: str


@dataclass(frozen=True)
class Contract:
    """One feed: its columns, unique key, the date its codes are checked at, and its kind."""

    name: str
    kind: str  # "person" | "aggregate" | "published"
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    event_date: str | None = None
    partition_year: bool = False
    derived: tuple[Derived, ...] = ()
    checks: tuple[str, ...] = ()  # cross-column checks, named in _validate.CHECKS
    version: str = CONTRACT_VERSION
    notes: tuple[str, ...] = field(default=())

    @property
    def person_level(self) -> bool:
        return self.kind == "person"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def lake_columns(self) -> list[str]:
        return [c.name for c in self.columns] + [d.name for d in self.derived]


ICD10 = r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,2})?[A-Z-]?$"
ID = r"^[A-Za-z0-9_.:/-]{1,64}$"
TREATMENT_FUNCTION = r"^([0-9]{3}|X0[1-6]|C_[0-9]{3}|C_999)$"
ORGANISATION = (Level.TRUST.value, Level.PRACTICE.value, Level.LAD.value, Level.PCN.value)


def _person(description: str = "Pseudonymised person id (or send nhs_number instead)") -> Column:
    return Column(PERSON_ID, ColType.STRING, description, pattern=ID)


def _event_id(name: str, what: str) -> Column:
    return Column(name, ColType.STRING, f"The sender's unique id of the {what}", pattern=ID)


def _provider() -> Column:
    return Column(
        "provider_code",
        ColType.CODE,
        "ODS code of the provider (trust)",
        register=(Level.TRUST.value,),
    )


_PRACTICE_OPT = Column(
    "practice_code",
    ColType.CODE,
    "ODS code of the registered practice at the event",
    required=False,
    nullable=True,
    register=(Level.PRACTICE.value,),
)
_LSOA_OPT = Column(
    "lsoa_code",
    ColType.CODE,
    "2021 LSOA of residence at the event",
    required=False,
    nullable=True,
    register=(Level.LSOA21.value,),
)


def _attended() -> Column:
    return Column(
        "attended",
        ColType.CODE,
        "Whether the contact took place",
        required=False,
        nullable=True,
        codes=CONTACT_ATTENDED,
    )


CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        Contract(
            "persons",
            "person",
            "One row per person: demographics, residence and death.",
            (
                _person(),
                Column("sex", ColType.CODE, "Stated gender (NHS code)", codes=SEX),
                Column(
                    "date_of_birth",
                    ColType.DATE_OR_MONTH,
                    "Date or month of birth (month: stored as the 1st)",
                    not_future=True,
                ),
                Column(
                    "ethnicity",
                    ColType.CODE,
                    "Ethnic category (NHS 16+1 codes); empty = not known",
                    nullable=True,
                    codes=ETHNICITY,
                ),
                Column(
                    "lsoa_code",
                    ColType.CODE,
                    "2021 LSOA of residence",
                    nullable=True,
                    register=(Level.LSOA21.value,),
                ),
                Column(
                    "date_of_death",
                    ColType.DATE,
                    "Date of death",
                    required=False,
                    nullable=True,
                    not_future=True,
                ),
            ),
            key=(PERSON_ID,),
            checks=("death_after_birth",),
        ),
        Contract(
            "registrations",
            "person",
            "GP registrations: one row per person per practice spell.",
            (
                _person(),
                Column(
                    "practice_code",
                    ColType.CODE,
                    "ODS code of the practice",
                    register=(Level.PRACTICE.value,),
                ),
                Column("start_date", ColType.DATE, "Registration start", not_future=True),
                Column(
                    "end_date",
                    ColType.DATE,
                    "Registration end; empty = still registered",
                    required=False,
                    nullable=True,
                    not_future=True,
                ),
            ),
            key=(PERSON_ID, "practice_code", "start_date"),
            event_date="start_date",
            checks=("end_after_start",),
        ),
        Contract(
            "conditions",
            "person",
            "Long-term conditions: one row per person per condition cluster and onset. Send "
            "`cluster`, or `code_system` and `code` with a mapping file (`--mapping`, a CSV of "
            "code_system, code, cluster).",
            (
                _person(),
                Column("cluster", ColType.CODE, "Condition cluster", codes=CLUSTERS),
                Column("onset_date", ColType.DATE, "Date of first diagnosis", not_future=True),
                Column(
                    "code_system",
                    ColType.CODE,
                    "Source code system, when cluster was mapped",
                    required=False,
                    nullable=True,
                    codes={"snomed": "SNOMED CT", "icd10": "ICD-10"},
                ),
                Column(
                    "code",
                    ColType.STRING,
                    "Source clinical code, when cluster was mapped",
                    required=False,
                    nullable=True,
                    pattern=r"^[0-9A-Z.]{1,18}$",
                ),
            ),
            key=(PERSON_ID, "cluster", "onset_date"),
            event_date="onset_date",
            partition_year=True,
        ),
        Contract(
            "hospital_spells",
            "person",
            "Admitted patient care: one row per hospital provider spell.",
            (
                _event_id("spell_id", "spell"),
                _person(),
                _provider(),
                Column("admission_date", ColType.DATE, "Start of the spell", not_future=True),
                Column(
                    "discharge_date",
                    ColType.DATE,
                    "End of the spell; empty = not yet discharged",
                    nullable=True,
                    not_future=True,
                ),
                Column(
                    "admission_method",
                    ColType.CODE,
                    "Admission method (NHS code)",
                    codes=ADMISSION_METHOD,
                ),
                Column(
                    "primary_diagnosis",
                    ColType.STRING,
                    "Primary diagnosis, ICD-10 (e.g. I21.0, J440)",
                    nullable=True,
                    pattern=ICD10,
                ),
                Column(
                    "cost",
                    ColType.FLOAT,
                    "Cost of the spell in pounds",
                    required=False,
                    nullable=True,
                    minimum=0,
                ),
                _PRACTICE_OPT,
                _LSOA_OPT,
            ),
            key=("spell_id",),
            event_date="admission_date",
            partition_year=True,
            derived=(
                Derived(
                    "admission_type",
                    "admission_method",
                    ADMISSION_TYPE,
                    "elective, emergency or other",
                ),
            ),
            checks=("discharge_after_admission",),
        ),
        Contract(
            "ae_attendances",
            "person",
            "A&E attendances: one row per attendance.",
            (
                _event_id("attendance_id", "attendance"),
                _person(),
                _provider(),
                Column("arrival_time", ColType.TIMESTAMP, "Arrival date and time", not_future=True),
                Column(
                    "departure_time",
                    ColType.TIMESTAMP,
                    "Departure (conclusion) date and time",
                    nullable=True,
                    not_future=True,
                ),
                Column(
                    "department_type", ColType.CODE, "A&E department type", codes=DEPARTMENT_TYPE
                ),
                Column(
                    "disposal",
                    ColType.CODE,
                    "Attendance disposal (NHS code)",
                    nullable=True,
                    codes=AE_DISPOSAL,
                ),
                _PRACTICE_OPT,
                _LSOA_OPT,
            ),
            key=("attendance_id",),
            event_date="arrival_time",
            partition_year=True,
            checks=("departure_after_arrival",),
        ),
        Contract(
            "outpatient_appointments",
            "person",
            "Outpatient appointments, attended or not.",
            (
                _event_id("appointment_id", "appointment"),
                _person(),
                _provider(),
                Column(
                    "appointment_date", ColType.DATE, "Date of the appointment", not_future=True
                ),
                Column(
                    "first_attendance",
                    ColType.CODE,
                    "First or follow-up (NHS code)",
                    codes=FIRST_ATTENDANCE,
                ),
                Column(
                    "attendance_status",
                    ColType.CODE,
                    "Attended or did not attend (NHS code)",
                    codes=ATTENDED,
                ),
                Column(
                    "treatment_function",
                    ColType.STRING,
                    "Treatment function code",
                    required=False,
                    nullable=True,
                    pattern=TREATMENT_FUNCTION,
                ),
                _PRACTICE_OPT,
                _LSOA_OPT,
            ),
            key=("appointment_id",),
            event_date="appointment_date",
            partition_year=True,
            derived=(
                Derived(
                    "appointment_type",
                    "first_attendance",
                    {"1": "first", "3": "first", "2": "follow_up", "4": "follow_up"},
                    "first or follow_up",
                ),
                Derived(
                    "attendance_outcome",
                    "attendance_status",
                    ATTENDANCE_OUTCOME,
                    "attended, did_not_attend or cancelled",
                ),
            ),
        ),
        Contract(
            "community_contacts",
            "person",
            "Community health service contacts.",
            (
                _event_id("contact_id", "contact"),
                _person(),
                _provider(),
                Column("contact_date", ColType.DATE, "Date of the contact", not_future=True),
                Column(
                    "service",
                    ColType.STRING,
                    "Service or team type (free text or local code)",
                    required=False,
                    nullable=True,
                ),
                _attended(),
                _PRACTICE_OPT,
                _LSOA_OPT,
            ),
            key=("contact_id",),
            event_date="contact_date",
            partition_year=True,
        ),
        Contract(
            "mental_health_contacts",
            "person",
            "Mental health service contacts.",
            (
                _event_id("contact_id", "contact"),
                _person(),
                _provider(),
                Column("contact_date", ColType.DATE, "Date of the contact", not_future=True),
                Column(
                    "service",
                    ColType.STRING,
                    "Service or team type (free text or local code)",
                    required=False,
                    nullable=True,
                ),
                _attended(),
                _PRACTICE_OPT,
                _LSOA_OPT,
            ),
            key=("contact_id",),
            event_date="contact_date",
            partition_year=True,
        ),
        Contract(
            "social_care_services",
            "person",
            "Adult social care services provided or commissioned by a local authority.",
            (
                _event_id("service_id", "service episode"),
                _person(),
                Column(
                    "la_code",
                    ColType.CODE,
                    "Local authority (LAD GSS code)",
                    register=(Level.LAD.value,),
                ),
                Column("service_type", ColType.CODE, "Type of support", codes=SOCIAL_CARE_SERVICE),
                Column("start_date", ColType.DATE, "Start of the service", not_future=True),
                Column(
                    "end_date",
                    ColType.DATE,
                    "End of the service; empty = ongoing",
                    nullable=True,
                    not_future=True,
                ),
                Column(
                    "weekly_cost",
                    ColType.FLOAT,
                    "Gross weekly cost in pounds",
                    required=False,
                    nullable=True,
                    minimum=0,
                ),
            ),
            key=("service_id",),
            event_date="start_date",
            checks=("end_after_start",),
        ),
        Contract(
            "waiting_list",
            "person",
            "Referral-to-treatment pathways: one row per pathway.",
            (
                Column("pathway_id", ColType.STRING, "Patient pathway identifier", pattern=ID),
                _person(),
                _provider(),
                Column(
                    "treatment_function",
                    ColType.STRING,
                    "Treatment function code (e.g. 100, 110, X02)",
                    pattern=TREATMENT_FUNCTION,
                ),
                Column("clock_start", ColType.DATE, "RTT clock start", not_future=True),
                Column(
                    "clock_stop",
                    ColType.DATE,
                    "RTT clock stop; empty = still waiting",
                    nullable=True,
                    not_future=True,
                ),
            ),
            key=("pathway_id",),
            event_date="clock_start",
            checks=("clock_stop_after_start",),
        ),
        Contract(
            "workforce",
            "aggregate",
            "Workforce by organisation, month and staff group.",
            (
                Column(
                    "organisation_code",
                    ColType.CODE,
                    "ODS code (trust, practice, PCN) or LAD GSS code",
                    register=ORGANISATION,
                ),
                Column("month", ColType.MONTH, "Month (YYYY-MM)", not_future=True),
                Column("staff_group", ColType.CODE, "Staff group", codes=STAFF_GROUP),
                Column(
                    "fte_in_post", ColType.FLOAT, "Full-time equivalent staff in post", minimum=0
                ),
                Column(
                    "vacancies",
                    ColType.FLOAT,
                    "Vacancies (FTE)",
                    required=False,
                    nullable=True,
                    minimum=0,
                ),
                Column(
                    "joiners",
                    ColType.FLOAT,
                    "Joiners in the month (FTE)",
                    required=False,
                    nullable=True,
                    minimum=0,
                ),
                Column(
                    "leavers",
                    ColType.FLOAT,
                    "Leavers in the month (FTE)",
                    required=False,
                    nullable=True,
                    minimum=0,
                ),
            ),
            key=("organisation_code", "month", "staff_group"),
            event_date="month",
        ),
    )
}


def contract(name: str) -> Contract:
    """The contract of a feed, by name (the published A&E files are ``ae_provider_monthly``)."""
    from icsys.feeds.ae_provider import AE_PROVIDER  # noqa: PLC0415 - defined beside its reader

    found = {**CONTRACTS, AE_PROVIDER.name: AE_PROVIDER}.get(name)
    if found is None:
        raise NotFoundError(f"no feed {name!r}; feeds are {', '.join(all_feeds())}")
    return found


def all_feeds() -> list[str]:
    return [*CONTRACTS, "ae_provider_monthly"]


def render_markdown() -> str:
    """The feed reference (``docs/feeds.md``), generated from the contracts."""
    from icsys.feeds.docs import render_markdown as render  # noqa: PLC0415 - docs import contracts

    return render()


__all__ = [
    "ADMISSION_METHOD",
    "ADMISSION_TYPE",
    "AE_DISPOSAL",
    "ATTENDANCE_OUTCOME",
    "ATTENDED",
    "CLUSTERS",
    "CONTACT_ATTENDED",
    "DEPARTMENT_TYPE",
    "ETHNICITY",
    "FIRST_ATTENDANCE",
    "SEX",
    "SOCIAL_CARE_SERVICE",
    "STAFF_GROUP",
]
