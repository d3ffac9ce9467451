"""``/api/v1/assessments`` and ``/api/v1/peers``: recorded maturity assessments, one system's
assessment with every criterion explained and its oversight segment, and peer groups."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.routes.api_structure import CSV, Code, FormatQ
from icsys.web.services import assessment as svc
from icsys.web.services.structure import Register

router = APIRouter(tags=["assessment"])

FrameworkQ = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="A framework id (e.g. icsys_maturity); default: the latest run's",
    ),
]
AssessedOn = Annotated[
    date | None,
    Query(
        alias="as_of",
        description="The assessment date (YYYY-MM-DD); default: the latest recorded run. A date "
        "with no recorded run is computed for that date and marked recorded=false.",
    ),
]
PeersN = Annotated[int, Query(ge=1, le=20, description="How many peers.")]


def assessments(request: Request) -> svc.AssessmentData:
    """The portal's assessment cache (made on first use)."""
    return svc.data_of(
        request.app.state,
        deps.engine(request),
        deps.settings(request),
        deps.web_config(request).snapshot_ttl_seconds,
    )


@router.get(
    "/assessments",
    response_model=s.Page[s.AssessmentSummary],
    responses=CSV,
    summary="Recorded maturity assessments: stages per domain, overall and oversight segment",
)
def list_assessments(
    request: Request,
    data: Annotated[svc.AssessmentData, Depends(assessments)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: Annotated[
        str | None, Query(max_length=200, description="System code, ODS code or name")
    ] = None,
    framework: FrameworkQ = None,
    fmt: FormatQ = None,
) -> s.Page[s.AssessmentSummary] | Response:
    rows = svc.list_assessments(data.engine, register, day, system=system, framework=framework)
    return deps.listing(request, rows, paging, fmt, "assessments")


class _CriterionRow(BaseModel):
    system_code: str
    as_of: date
    framework: str
    version: int
    domain: str
    domain_stage: str | None
    criterion: str
    title: str
    kind: str
    outcome: str
    counted: bool
    weight: float
    required_for: str | None
    rule: str
    in_words: str
    values: str
    evidence_id: str | None
    evidence_outcome: str | None


def _criteria_rows(found: s.SystemAssessment) -> list[_CriterionRow]:
    return [
        _CriterionRow(
            system_code=found.system_code,
            as_of=found.as_of,
            framework=found.framework,
            version=found.version,
            domain=d.domain,
            domain_stage=d.stage,
            criterion=c.criterion,
            title=c.title,
            kind=c.kind,
            outcome=c.outcome,
            counted=c.counted,
            weight=c.weight,
            required_for=c.required_for,
            rule=c.rule,
            in_words=c.in_words,
            values="; ".join(f"{v.reference} = {v.shown}" for v in c.values),
            evidence_id=None if c.evidence is None else c.evidence.id,
            evidence_outcome=None if c.evidence is None else c.evidence.outcome,
        )
        for d in found.domains
        for c in d.criteria
    ]


@router.get(
    "/assessments/{system}",
    response_model=s.SystemAssessment,
    responses=CSV,
    summary="A system's latest assessment: every criterion with its rule, values and evidence",
)
def system_assessment(
    request: Request,
    data: Annotated[svc.AssessmentData, Depends(assessments)],
    register: Annotated[Register, Depends(deps.register)],
    system: Code,
    as_of: AssessedOn = None,
    framework: FrameworkQ = None,
    fmt: FormatQ = None,
) -> s.SystemAssessment | Response:
    found = svc.system_assessment(data, register, system, as_of=as_of, framework=framework)
    if deps.wants_csv(request, fmt):
        return deps.csv_response(
            _criteria_rows(found), f"assessment-{found.system_code}-{found.as_of}"
        )
    return found


class _PeerRow(BaseModel):
    system_code: str
    as_of: date
    rank: int
    peer: str
    name: str | None
    distance: float
    differs_most_on: str
    alike_on: str
    values: dict[str, float | None]


@router.get(
    "/peers/{system}",
    response_model=s.PeerGroup,
    responses=CSV,
    summary="A system's peer group: nearest neighbours with distances and the features used",
)
def peers(
    request: Request,
    data: Annotated[svc.AssessmentData, Depends(assessments)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    n: PeersN = 5,
    fmt: FormatQ = None,
) -> s.PeerGroup | Response:
    group = svc.peer_group(data, register, system, day, n)
    if deps.wants_csv(request, fmt):
        rows = [
            _PeerRow(
                system_code=group.system_code,
                as_of=group.as_of,
                rank=p.rank,
                peer=p.code,
                name=p.name,
                distance=p.distance,
                differs_most_on=", ".join(
                    f"{c.feature} ({100 * c.share:.0f}%)" for c in p.differs_most_on
                ),
                alike_on=", ".join(p.alike_on),
                values=p.values,
            )
            for p in group.peers
        ]
        return deps.csv_response(rows, f"peers-{group.system_code}-{group.as_of}")
    return group
