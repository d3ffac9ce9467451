"""What the API returns (and the pages render): one model per kind of record.

These models are the portal's public contract: the OpenAPI document is generated from them, and
the pages are rendered from the same objects, so a page never shows what the API would not.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Model):
    field: str
    message: str


class ErrorDetail(Model):
    code: str = Field(description="Stable, machine-readable: not_found, permission_denied, ...")
    status: int
    message: str
    problems: list[Problem] | None = None


class ErrorBody(Model):
    """Every API error."""

    error: ErrorDetail


class Page(Model, Generic[T]):
    """One page of a list; ``total`` counts every match, ``items`` only this page's."""

    items: list[T]
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    total: int = Field(ge=0)
    pages: int = Field(ge=0)


class Area(Model):
    level: str
    code: str
    name: str | None
    ods_code: str | None
    parent_code: str | None
    system_code: str | None
    extra: dict[str, str | int | float | None] = Field(default_factory=dict)


class RegionSystems(Model):
    region: Area
    systems: list[Area]


class PlaceFacts(Model):
    code: str
    name: str | None
    lsoa_share: float
    lsoas: int
    resident_population: int


class SubIcbFacts(Model):
    code: str
    ods_code: str | None
    name: str | None
    pcns: int
    practices: int
    registered_population: int


class SystemFacts(Model):
    """A system's structure as at a date (``icsys.reference.summary``)."""

    code: str
    ods_code: str | None
    name: str | None
    region_code: str | None
    region_name: str | None
    as_of: date
    lsoas: int
    resident_population: int
    registered_population: int
    practices: int
    practices_without_pcn: int
    pcns: int
    trusts: int
    core20_share: float | None
    imd_quintiles: dict[str, int]
    places: list[PlaceFacts]
    sub_icbs: list[SubIcbFacts]


class Partner(Model):
    """An organisation in a system, with its sector."""

    sector: str
    kind: str
    code: str | None
    name: str | None
    detail: str | None = None


class PlaceDetail(Model):
    system_code: str
    system_name: str | None
    place: PlaceFacts
    imd_quintiles: dict[str, int]
    sub_icbs: list[Area]
    neighbourhoods: list[Area]


class Practice(Model):
    code: str
    name: str | None
    list_size: int | None


class NeighbourhoodDetail(Model):
    system_code: str
    system_name: str | None
    pcn: Area
    sub_icb_name: str | None
    registered_population: int
    practices: list[Practice]


class ComparedSystem(Model):
    """One system's headline structure and governance figures, for side-by-side comparison."""

    code: str
    name: str | None
    region_name: str | None
    resident_population: int
    registered_population: int
    places: int
    pcns: int
    practices: int
    trusts: int
    core20_share: float | None
    measures: dict[str, float | None]


class Me(Model):
    role: str
    username: str | None
    system_code: str | None
    person_id: str | None


# --- governance ------------------------------------------------------------------------------
class Body(Model):
    id: str
    system_code: str
    name: str
    kind: str
    parent_id: str | None
    place_code: str | None
    meets_in_public: bool
    terms_of_reference: str | None
    valid_from: date
    valid_to: date | None


class Member(Model):
    id: str
    body_id: str
    person_id: str
    person_name: str | None
    org_code: str | None
    org_name: str | None
    sector: str
    role: str
    voting: bool
    valid_from: date
    valid_to: date | None


class Meeting(Model):
    id: str
    body_id: str
    system_code: str
    meeting_date: date
    status: str
    public_part: bool
    private_part: bool
    notice_on: date | None


class AgendaItem(Model):
    id: str
    meeting_id: str
    seq: int
    title: str
    presenting_org: str | None
    presenting_sector: str | None
    part: str
    purpose: str


class Decision(Model):
    id: str
    item_id: str
    meeting_id: str
    body_id: str
    meeting_date: date
    resolution: str
    outcome: str
    part: str


class Paper(Model):
    id: str
    title: str
    classification: str
    published_on: date | None
    author_org: str | None
    item_id: str | None
    body_id: str | None
    meeting_id: str | None
    version: int
    filename: str
    media_type: str
    size_bytes: int
    download_url: str


class MeetingDetail(Model):
    meeting: Meeting
    body: Body
    items: list[AgendaItem]
    decisions: list[Decision]
    papers: list[Paper]
    private_business_withheld: bool


class Delegation(Model):
    id: str
    system_code: str
    from_kind: str
    from_code: str
    to_kind: str
    to_code: str
    recipient_type: str
    functions: str
    scheme_ref: str | None
    valid_from: date
    valid_to: date | None


class Tenure(Model):
    id: str
    post_id: str
    person_id: str
    person_name: str | None
    start_on: date
    end_on: date | None
    interim: bool
    background: str


class Post(Model):
    id: str
    system_code: str
    kind: str
    scope_code: str | None
    title: str
    valid_from: date
    valid_to: date | None
    holder: Tenure | None
    tenures: list[Tenure]


class Measure(Model):
    family: str
    measure: str
    system_code: str
    body_id: str | None
    breakdown: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    period_start: date
    period_end: date


class User(Model):
    id: int
    username: str
    role: str
    system_code: str | None
    person_id: str | None
    disabled: bool


class AccessRead(Model):
    """One audited read of restricted data (unsuppressed figures, a confidential paper)."""

    id: int
    at: datetime
    actor: str
    role: str
    resource: str
    record_key: str
    detail: str | None


# --- assessment ------------------------------------------------------------------------------
class AssessmentSummary(Model):
    """One system in one recorded assessment run: the stage of each domain and overall."""

    run_id: int
    framework: str
    version: int
    as_of: date
    run_at: datetime
    system_code: str
    system_name: str | None
    overall: str | None = Field(description="emerging, developing, maturing or thriving")
    domains: dict[str, str | None]
    segment: int | None = Field(description="Oversight segment, 1 (best) to 4")


class EvidenceDocumentRef(Model):
    title: str
    path: str
    sha256: str


class CriterionEvidence(Model):
    """The evidence behind an evidenced criterion as at the assessment date."""

    id: str
    outcome: str = Field(description="pending, accepted or rejected")
    statement: str
    reviewer: str | None
    reviewer_system_code: str | None = Field(description="Set when another system reviewed it")
    reviewed_on: date | None
    documents: list[EvidenceDocumentRef]


class CriterionValue(Model):
    """A value a computed rule looked at (disclosure-controlled where it comes from patients)."""

    reference: str
    label: str
    value: float | None
    shown: str


class AssessedCriterion(Model):
    domain: str
    criterion: str
    title: str
    kind: str = Field(description="computed or evidenced")
    rule: str = Field(description="The rule (computed) or the statement to evidence")
    in_words: str
    params: dict[str, float]
    values: list[CriterionValue]
    outcome: str = Field(description="met, not_met, no_data, no_evidence or pending")
    counted: bool
    weight: float
    required_for: str | None
    cites: list[str]
    evidence: CriterionEvidence | None


class AssessedDomain(Model):
    domain: str
    title: str
    weight: float
    score: float | None = Field(description="Weighted share of the counted criteria met")
    stage: str | None
    thresholds: dict[str, float]
    gates_unmet: list[str]
    criteria: list[AssessedCriterion]


class OversightMetricScore(Model):
    metric: str
    title: str
    direction: str
    counted: bool
    value: float | None
    score: float | None = Field(description="1 (best) to 4 within the peer group")


class OversightView(Model):
    """A system's oversight segment and how it was reached, with the method's assumptions."""

    segment: int | None
    score: float | None
    counted_metrics: int
    min_metrics: int
    peer_group: str
    league_rank: int | None
    league_of: int
    finance_note: str | None
    metrics: list[OversightMetricScore]
    assumptions: list[str]


class SystemAssessment(Model):
    """A system's maturity assessment with every criterion explained, and its oversight."""

    system_code: str
    system_name: str | None
    framework: str
    version: int
    framework_title: str
    as_of: date
    recorded: bool = Field(description="Whether a recorded run assessed the system on this date")
    run_id: int | None
    matches_record: bool | None = Field(
        description="Whether the stages and segment shown equal the recorded run's"
    )
    overall: str | None
    overall_score: float | None
    stage_thresholds: dict[str, float]
    domains: list[AssessedDomain]
    notes: list[str]
    oversight: OversightView | None
    indicator_source: str


class PeerFeature(Model):
    feature: str
    title: str
    weight: float
    value: float | None
    z: float


class PeerContribution(Model):
    feature: str
    share: float = Field(description="Share of the squared distance")


class PeerSystem(Model):
    rank: int
    code: str
    name: str | None
    distance: float
    differs_most_on: list[PeerContribution]
    alike_on: list[str]
    values: dict[str, float | None]


class PeerGroup(Model):
    """A system's nearest neighbours on structural need (CIPFA-style), with the variables."""

    system_code: str
    system_name: str | None
    as_of: date
    n: int
    method: str
    features: list[PeerFeature]
    peers: list[PeerSystem]
    notes: list[str]


class Record(Model):
    """A governance record of one kind (``icsys.governance.schema``), as stored."""

    kind: str
    key: str = Field(description="The key columns' values joined by /")
    outcome: str | None = Field(None, description="created, updated or unchanged")
    values: dict[str, object]


class IndicatorSummary(Model):
    """An indicator of the library (``icsys.analytics.definitions``), as listed."""

    id: str
    title: str
    domain: str
    domain_label: str
    basis: str = Field(description="registered, resident, provider or derived")
    method: str
    unit: str
    improvement: str = Field(description="increase, decrease or neutral")
    periods: list[str]
    breakdowns: list[str]
    disclosure: str = Field(
        description="counts (controlled in the public view), published, derived"
    )
    has_values: bool = Field(description="Whether the current run of the mart has values")


class IndicatorDefinition(IndicatorSummary):
    """An indicator's definition: what is counted, over what, and how."""

    description: str
    numerator: str
    denominator: str | None
    multiplier: float
    standard_population: str | None
    category: str | None
    sources: str
    inputs: list[str] = Field(default_factory=list, description="Inputs of a derived indicator")


class IndicatorValue(Model):
    """One aggregate value of the mart, as the caller may see it (never a patient row)."""

    indicator_id: str
    level: str
    area_code: str
    area_name: str | None
    parent_code: str | None
    system_code: str | None
    period_type: str
    period: str
    period_start: date
    period_end: date
    breakdown: str
    breakdown_value: str
    category: str
    value: float | None
    lower: float | None
    upper: float | None
    numerator: float | None
    denominator: float | None
    spc_point_type: str | None
    disclosure: str = Field(
        description="'' as computed (published figures); primary or secondary: suppressed; "
        "rounded: counts rounded; unsuppressed: an analyst's own system (or an admin)"
    )


class IndicatorHeadline(Model):
    """An indicator's latest value for an area, with its SPC icons and an inequality gap."""

    indicator_id: str
    title: str
    unit: str
    improvement: str
    area_code: str
    period: str | None
    value: float | None
    lower: float | None
    upper: float | None
    variation_icon: str | None
    assurance_icon: str | None
    spc_period_type: str | None
    gap_label: str | None = None
    gap_value: float | None = None
    gap_unit: str | None = None
    gap_period: str | None = None
    controlled: bool = Field(description="Whether the figures passed disclosure control")
