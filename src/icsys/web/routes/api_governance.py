"""``/api/v1/governance``: bodies, members, meetings, decisions, papers, delegations, the
leadership register and the derived measures, each filtered for the caller."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.governance.measures import Period
from icsys.governance.vocab import Classification, Outcome
from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.errors import InvalidRequestError
from icsys.web.routes.api_structure import CSV, FormatQ
from icsys.web.services import governance as gov
from icsys.web.services.structure import Register

router = APIRouter(prefix="/governance", tags=["governance"])

SystemQ = Annotated[str | None, Query(max_length=200, description="System code, ODS code or name")]
BodyQ = Annotated[str | None, Query(max_length=64, description="Body id")]
Id = Annotated[str, Path(min_length=1, max_length=64)]


def system_code(register: Register, day: date, system: str | None) -> str | None:
    return None if system is None else register.snapshot(day).resolve_system(system)


def viewer(
    engine: Annotated[Engine, Depends(deps.engine)],
    who: Annotated[Principal, Depends(deps.principal)],
    day: Annotated[date, Depends(deps.as_of)],
) -> gov.Viewer:
    return gov.viewer(engine, who, day)


@router.get("/bodies", response_model=s.Page[s.Body], responses=CSV, summary="Governance bodies")
def bodies(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    fmt: FormatQ = None,
) -> s.Page[s.Body] | Response:
    rows = gov.bodies(engine, system=system_code(register, day, system))
    return deps.listing(request, rows, paging, fmt, "bodies")


@router.get("/bodies/{body_id}", response_model=s.Body, summary="One body")
def body(engine: Annotated[Engine, Depends(deps.engine)], body_id: Id) -> s.Body:
    return gov.body(engine, body_id)


@router.get("/members", response_model=s.Page[s.Member], responses=CSV, summary="Members of bodies")
def members(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    body: BodyQ = None,
    current: Annotated[bool, Query(description="Only memberships in force on as_of")] = True,
    fmt: FormatQ = None,
) -> s.Page[s.Member] | Response:
    rows = gov.members(
        engine, system=system_code(register, day, system), body=body, on=day if current else None
    )
    return deps.listing(request, rows, paging, fmt, "members")


@router.get("/meetings", response_model=s.Page[s.Meeting], responses=CSV, summary="Meetings")
def meetings(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    body: BodyQ = None,
    fmt: FormatQ = None,
) -> s.Page[s.Meeting] | Response:
    rows = gov.meetings(engine, system=system_code(register, day, system), body=body)
    return deps.listing(request, rows, paging, fmt, "meetings")


@router.get(
    "/meetings/{meeting_id}",
    response_model=s.MeetingDetail,
    summary="A meeting: its agenda, decisions and papers (as far as the caller may see)",
)
def meeting(
    engine: Annotated[Engine, Depends(deps.engine)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    meeting_id: Id,
) -> s.MeetingDetail:
    return gov.meeting_detail(engine, v, meeting_id, as_of=v.on)


@router.get("/decisions", response_model=s.Page[s.Decision], responses=CSV, summary="Decisions")
def decisions(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    body: BodyQ = None,
    outcome: Outcome | None = None,
    fmt: FormatQ = None,
) -> s.Page[s.Decision] | Response:
    rows = gov.decisions(
        engine,
        v,
        system=system_code(register, v.on, system),
        body=body,
        outcome=outcome.value if outcome else None,
    )
    return deps.listing(request, rows, paging, fmt, "decisions")


@router.get("/papers", response_model=s.Page[s.Paper], responses=CSV, summary="Papers")
def papers(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    body: BodyQ = None,
    classification: Classification | None = None,
    fmt: FormatQ = None,
) -> s.Page[s.Paper] | Response:
    rows = gov.papers(
        engine,
        v,
        as_of=v.on,
        system=system_code(register, v.on, system),
        body=body,
        classification=classification.value if classification else None,
    )
    return deps.listing(request, rows, paging, fmt, "papers")


@router.get("/papers/{paper_id}", response_model=s.Paper, summary="A paper's description")
def paper(
    engine: Annotated[Engine, Depends(deps.engine)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    paper_id: Id,
) -> s.Paper:
    return gov.paper(engine, v, paper_id, as_of=v.on)


@router.get(
    "/papers/{paper_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}},
    summary="Download a paper",
)
def paper_content(
    engine: Annotated[Engine, Depends(deps.engine)],
    settings: Annotated[Settings, Depends(deps.settings)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    paper_id: Id,
) -> Response:
    meta, content = gov.paper_content(engine, settings, v, paper_id, as_of=v.on)
    name = "".join(c for c in PurePath(meta.filename).name if c.isalnum() or c in "._-") or "paper"
    return Response(
        content,
        media_type=meta.media_type,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


@router.get(
    "/delegations",
    response_model=s.Page[s.Delegation],
    responses=CSV,
    summary="Delegations of functions and budgets",
)
def delegations(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    fmt: FormatQ = None,
) -> s.Page[s.Delegation] | Response:
    rows = gov.delegations(engine, system=system_code(register, day, system))
    return deps.listing(request, rows, paging, fmt, "delegations")


@router.get(
    "/leadership",
    response_model=s.Page[s.Post],
    responses=CSV,
    summary="The leadership register: posts, holders on as_of, tenures",
)
def leadership(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    fmt: FormatQ = None,
) -> s.Page[s.Post] | Response:
    rows = gov.leadership(engine, system=system_code(register, day, system), on=day)
    return deps.listing(request, rows, paging, fmt, "leadership")


def parse_period(text: str | None, today: date) -> Period | None:
    if text is None:
        return None
    try:
        return Period.parse(text, today=today)
    except ValueError as exc:  # pragma: no cover - Period raises UserError, kept for dates
        raise InvalidRequestError(str(exc)) from None


@router.get(
    "/measures",
    response_model=s.Page[s.Measure],
    responses=CSV,
    summary="Transparency, partner voice, delegation and leadership measures",
)
def measures(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: SystemQ = None,
    period: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^(\d{4}/\d{2}|\d{4}|last-\d{1,3}m|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$",
            description="2024/25, 2024, last-12m or YYYY-MM-DD..YYYY-MM-DD; default: the "
            "financial year of the latest meeting",
        ),
    ] = None,
    family: Annotated[
        str | None,
        Query(pattern="^(transparency|partner_voice|delegation|leadership)$"),
    ] = None,
    by_body: bool = False,
    fmt: FormatQ = None,
) -> s.Page[s.Measure] | Response:
    code = system_code(register, day, system)
    rows = gov.measures(
        engine, system=code, period=parse_period(period, day), family=family, by_body=by_body
    )
    return deps.listing(request, rows, paging, fmt, "measures")
