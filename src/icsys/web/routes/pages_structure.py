"""Pages of the structure register: England, a system, a place, a neighbourhood."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from icsys.domain.codes import ENGLAND_CODE
from icsys.web import deps
from icsys.web.auth import Principal
from icsys.web.charts import bar_chart
from icsys.web.routes.api_assessment import assessments
from icsys.web.routes.api_structure import Code
from icsys.web.routes.pages_indicators import headline_panel
from icsys.web.services import assessment as assess
from icsys.web.services import governance as gov
from icsys.web.services import structure
from icsys.web.services.structure import Register
from icsys.web.templating import render, sector_label

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])

QUINTILES = {
    "1": "1 (most deprived)",
    "2": "2",
    "3": "3",
    "4": "4",
    "5": "5 (least deprived)",
}
VOICE = "item_share"


def imd_chart(chart_id: str, counts: dict[str, int], where: str):  # type: ignore[no-untyped-def]  # noqa: ANN201
    return bar_chart(
        chart_id,
        f"Neighbourhoods (LSOAs) in {where} by national deprivation quintile (IMD 2025)",
        [(QUINTILES.get(k, k), float(counts.get(k, 0))) for k in QUINTILES],
        label_header="IMD quintile",
        value_header="LSOAs",
    )


@router.get("/", response_class=HTMLResponse)
def england_page(
    request: Request,
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    regions = structure.england(register.snapshot(day), q)
    total = sum(len(r.systems) for r in regions)
    return render(
        request,
        "england.jinja",
        {
            "regions": regions,
            "q": q or "",
            "total": total,
            "as_of": day,
            "indicator_panel": headline_panel(request, ENGLAND_CODE),
        },
    )


@router.get("/systems/{system}", response_class=HTMLResponse)
def system_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    who: Annotated[Principal, Depends(deps.principal)],
    assessed: Annotated[assess.AssessmentData, Depends(assessments)],
    system: Code,
) -> HTMLResponse:
    facts = structure.system_facts(register, day, system)
    snap = register.snapshot(day)
    members = gov.members(engine, system=facts.code, on=day)
    partners = structure.partners(snap, facts.code, members)
    by_sector: dict[str, list[object]] = {}
    for p in partners:
        by_sector.setdefault(p.sector, []).append(p)
    posts = gov.leadership(engine, system=facts.code, on=day)
    measures = gov.measures(engine, system=facts.code)
    headline = {(m.measure, m.breakdown): m for m in measures if m.body_id is None}
    voice = sorted(
        (m for m in measures if m.measure == VOICE and m.body_id is None),
        key=lambda m: str(m.breakdown),
    )
    charts = [imd_chart("imd", facts.imd_quintiles, facts.name or facts.code)]
    if voice:
        charts.append(
            bar_chart(
                "voice",
                "Share of agenda items led by each non-NHS sector",
                [
                    (
                        sector_label(m.breakdown),
                        None if m.value is None else round(100 * m.value, 1),
                    )
                    for m in voice
                ],
                unit="%",
                label_header="Sector",
                value_header="Items led",
            )
        )
    return render(
        request,
        "system.jinja",
        {
            "facts": facts,
            "sectors": dict(sorted(by_sector.items())),
            "posts": [p for p in posts if p.valid_to is None or p.valid_to >= day],
            "headline": headline,
            "measures_period": (measures[0].period_start, measures[0].period_end)
            if measures
            else None,
            "charts": charts,
            "unsuppressed": who.sees_unsuppressed(facts.code),
            "assessment_panel": assess.panel(assessed, register, facts.code, day),
            "as_of": day,
            "indicator_panel": headline_panel(request, facts.code, charts=True),
        },
    )


@router.get("/systems/{system}/places/{place}", response_class=HTMLResponse)
def place_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    place: Code,
) -> HTMLResponse:
    detail = structure.place_detail(register, day, system, place)
    bodies = [b for b in gov.bodies(engine, system=detail.system_code) if b.place_code == place]
    delegations = [
        d
        for d in gov.delegations(engine, system=detail.system_code)
        if d.to_code == place or any(d.to_code == b.id for b in bodies)
    ]
    return render(
        request,
        "place.jinja",
        {
            "detail": detail,
            "bodies": bodies,
            "delegations": delegations,
            "chart": imd_chart("imd", detail.imd_quintiles, detail.place.name or place),
            "as_of": day,
            "indicator_panel": headline_panel(request, detail.place.code),
        },
    )


@router.get("/systems/{system}/neighbourhoods/{pcn}", response_class=HTMLResponse)
def neighbourhood_page(
    request: Request,
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    pcn: Code,
) -> HTMLResponse:
    detail = structure.neighbourhood_detail(register.snapshot(day), system, pcn)
    chart = bar_chart(
        "list-sizes",
        f"Registered patients per practice in {detail.pcn.name or pcn}",
        [
            (p.name or p.code, None if p.list_size is None else float(p.list_size))
            for p in detail.practices
        ],
        label_header="Practice",
        value_header="Registered patients",
    )
    panel = headline_panel(request, detail.pcn.code)
    return render(
        request,
        "neighbourhood.jinja",
        {"detail": detail, "chart": chart, "as_of": day, "indicator_panel": panel},
    )


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "accessibility.jinja", {})


@router.get("/developers", response_class=HTMLResponse)
def developers(request: Request) -> HTMLResponse:
    return render(request, "developers.jinja", {})
