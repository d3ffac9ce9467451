"""Governance pages: a system's bodies, delegations, leadership and measures; a body; a
meeting with its agenda, decisions and papers; a system's decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import PermissionDeniedError
from icsys.governance.vocab import Outcome
from icsys.reports.board_pack import Audience, cached_pdf
from icsys.web import deps
from icsys.web.charts import bar_chart
from icsys.web.routes.api_governance import Id, viewer
from icsys.web.routes.api_structure import Code
from icsys.web.services import governance as gov
from icsys.web.services.access_audit import record_read
from icsys.web.services.structure import Register
from icsys.web.templating import render, sector_label

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])

MEASURE_LABELS = {
    "public_meeting_share": ("Meetings with a public part", "percent"),
    "papers_on_time_share": ("Public papers published 5 working days ahead", "percent"),
    "median_notice_days": ("Median notice of meetings (days)", "number"),
    "meetings_held": ("Meetings held", "number"),
    "dissent_rate": ("Decisions with recorded dissent", "percent"),
    "delegated_to_place_share": ("Allocation delegated to place", "percent"),
    "delegated_to_provider_collaborative_share": (
        "Allocation delegated to provider collaboratives",
        "percent",
    ),
    "stable_12m_share": ("Leadership posts stable over 12 months", "percent"),
    "turnover_12m": ("Leadership turnover in 12 months", "percent"),
    "interim_share": ("Posts held by interims", "percent"),
    "vacancy_share": ("Posts vacant", "percent"),
    "median_vacancy_days": ("Median vacancy (days)", "number"),
}


@router.get("/systems/{system}/governance", response_class=HTMLResponse)
def governance_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
) -> HTMLResponse:
    snap = register.snapshot(day)
    code = snap.resolve_system(system)
    measures = [m for m in gov.measures(engine, system=code) if m.body_id is None]
    headline = [
        (MEASURE_LABELS[m.measure], m)
        for m in measures
        if (m.measure in MEASURE_LABELS and m.breakdown is None)
        or (m.measure.startswith("delegated_") and m.measure in MEASURE_LABELS)
    ]
    attendance = sorted(
        (m for m in measures if m.measure == "attendance_rate" and m.breakdown != "all"),
        key=lambda m: str(m.breakdown),
    )
    charts = []
    if attendance:
        charts.append(
            bar_chart(
                "attendance",
                "Attendance at meetings by sector",
                [
                    (
                        sector_label(m.breakdown),
                        None if m.value is None else round(100 * m.value, 1),
                    )
                    for m in attendance
                ],
                unit="%",
                label_header="Sector",
                value_header="Attendance",
            )
        )
    bodies = gov.bodies(engine, system=code)
    return render(
        request,
        "governance.jinja",
        {
            "code": code,
            "name": snap.name("system", code),
            "bodies": bodies,
            "body_names": {b.id: b.name for b in bodies},
            "meetings": gov.meetings(engine, system=code),
            "delegations": gov.delegations(engine, system=code),
            "posts": gov.leadership(engine, system=code, on=day),
            "headline": headline,
            "charts": charts,
            "period": (measures[0].period_start, measures[0].period_end) if measures else None,
            "as_of": day,
        },
    )


@router.get("/systems/{system}/governance/decisions", response_class=HTMLResponse)
def decisions_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: Code,
    outcome: Annotated[Outcome | None, Query()] = None,
) -> HTMLResponse:
    snap = register.snapshot(v.on)
    code = snap.resolve_system(system)
    rows = gov.decisions(engine, v, system=code, outcome=outcome.value if outcome else None)
    page = deps.paginate(list(reversed(rows)), paging)
    bodies = {b.id: b.name for b in gov.bodies(engine, system=code)}
    return render(
        request,
        "decisions.jinja",
        {
            "code": code,
            "name": snap.name("system", code),
            "page": page,
            "bodies": bodies,
            "outcome": outcome.value if outcome else "",
            "outcomes": [o.value for o in Outcome],
        },
    )


@router.get("/governance/bodies/{body_id}", response_class=HTMLResponse)
def body_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    body_id: Id,
) -> HTMLResponse:
    body = gov.body(engine, body_id)
    members = gov.members(engine, body=body_id, on=day)
    return render(
        request,
        "body.jinja",
        {
            "body": body,
            "system_name": register.snapshot(day).name("system", body.system_code),
            "sectors": gov.sectors(members),
            "meetings": list(reversed(gov.meetings(engine, body=body_id))),
            "as_of": day,
        },
    )


@router.get("/governance/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    meeting_id: Id,
) -> HTMLResponse:
    detail = gov.meeting_detail(engine, v, meeting_id, as_of=v.on)
    papers_by_item: dict[str | None, list[object]] = {}
    for p in detail.papers:
        papers_by_item.setdefault(p.item_id, []).append(p)
    decisions_by_item: dict[str, list[object]] = {}
    for d in detail.decisions:
        decisions_by_item.setdefault(d.item_id, []).append(d)
    return render(
        request,
        "meeting.jinja",
        {
            "detail": detail,
            "system_name": register.snapshot(v.on).name("system", detail.body.system_code),
            "papers_by_item": papers_by_item,
            "decisions_by_item": decisions_by_item,
            "members_pack": v.sees_private(detail.body.id),
        },
    )


@router.get("/governance/meetings/{meeting_id}/board-pack.pdf", response_class=Response)
def board_pack_pdf(
    engine: Annotated[Engine, Depends(deps.engine)],
    settings: Annotated[Settings, Depends(deps.settings)],
    v: Annotated[gov.Viewer, Depends(viewer)],
    meeting_id: Id,
    audience: Annotated[Audience, Query()] = "public",
) -> Response:
    """The meeting's board pack (docs/board-packs.md): the public pack for anyone, the members'
    pack only for members of the body and administrators."""
    detail = gov.meeting_detail(engine, v, meeting_id, as_of=v.on)
    if audience == "members" and not v.sees_private(detail.body.id):
        raise PermissionDeniedError("the members' pack is only for members of the body")
    if audience == "members":
        record_read(engine, v.principal, "board_pack", meeting_id, {"body_id": detail.body.id})
    content, name = cached_pdf(
        settings, engine, detail.body.id, detail.meeting.meeting_date, audience=audience
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
