"""The compare page: choose systems, see them side by side (one system: with its peers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web.charts import bar_chart
from icsys.web.routes.api_assessment import assessments
from icsys.web.routes.api_compare import PeersOf
from icsys.web.services import structure
from icsys.web.services.assessment import AssessmentData
from icsys.web.services.compare import MAX_SYSTEMS, choose, compare, latest_assessments
from icsys.web.services.structure import Register
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    data: Annotated[AssessmentData, Depends(assessments)],
    day: Annotated[date, Depends(deps.as_of)],
    systems: Annotated[list[str] | None, Query(alias="system", max_length=MAX_SYSTEMS)] = None,
    peers_of: PeersOf = None,
) -> HTMLResponse:
    choice = choose(data, register, day, systems, peers_of)
    rows = compare(engine, register, day, choice.systems) if choice.systems else []
    charts = []
    if rows:
        charts.append(
            bar_chart(
                "core20",
                "Residents in the most deprived 20% of England (Core20)",
                [
                    (
                        r.name or r.code,
                        None if r.core20_share is None else round(100 * r.core20_share, 1),
                    )
                    for r in rows
                ],
                unit="%",
                label_header="System",
                value_header="Core20 residents",
            )
        )
    group = choice.peers
    chosen = {r.code for r in rows} if group is None else {group.system_code}
    return render(
        request,
        "compare.jinja",
        {
            "rows": rows,
            "chosen": chosen,
            "peers": group,
            "distance": {} if group is None else {p.code: p for p in group.peers},
            "assessed": latest_assessments(engine, [r.code for r in rows], day),
            "regions": structure.england(register.snapshot(day)),
            "charts": charts,
            "max": MAX_SYSTEMS,
            "as_of": day,
        },
    )
