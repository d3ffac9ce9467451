"""The compare page: choose systems, see them side by side."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web.charts import bar_chart
from icsys.web.services import structure
from icsys.web.services.compare import MAX_SYSTEMS, compare
from icsys.web.services.structure import Register
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    systems: Annotated[list[str] | None, Query(alias="system", max_length=MAX_SYSTEMS)] = None,
) -> HTMLResponse:
    rows = compare(engine, register, day, systems) if systems else []
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
    return render(
        request,
        "compare.jinja",
        {
            "rows": rows,
            "chosen": {r.code for r in rows},
            "regions": structure.england(register.snapshot(day)),
            "charts": charts,
            "max": MAX_SYSTEMS,
            "as_of": day,
        },
    )
