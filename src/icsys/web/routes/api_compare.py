"""``/api/v1/compare``: systems side by side."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.routes.api_structure import CSV, FormatQ
from icsys.web.services.compare import MAX_SYSTEMS, compare
from icsys.web.services.structure import Register

router = APIRouter(tags=["compare"])

Systems = Annotated[
    list[str],
    Query(
        alias="system",
        min_length=1,
        max_length=MAX_SYSTEMS,
        description="Systems to compare (GSS code, ODS code or name); repeat the parameter.",
    ),
]


@router.get(
    "/compare",
    response_model=s.Page[s.ComparedSystem],
    responses=CSV,
    summary="Systems side by side: structure and headline governance measures",
)
def compare_systems(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    systems: Systems,
    fmt: FormatQ = None,
) -> s.Page[s.ComparedSystem] | Response:
    rows = compare(engine, register, day, systems)
    return deps.listing(request, rows, paging, fmt, "compare")
