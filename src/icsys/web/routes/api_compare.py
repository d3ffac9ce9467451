"""``/api/v1/compare``: systems side by side (or one system with its peer group)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.errors import InvalidRequestError
from icsys.web.routes.api_assessment import assessments
from icsys.web.routes.api_structure import CSV, FormatQ
from icsys.web.services.assessment import AssessmentData
from icsys.web.services.compare import MAX_SYSTEMS, choose, compare
from icsys.web.services.structure import Register

router = APIRouter(tags=["compare"])

Systems = Annotated[
    list[str] | None,
    Query(
        alias="system",
        max_length=MAX_SYSTEMS,
        description="Systems to compare (GSS code, ODS code or name); repeat the parameter. "
        "One system alone is compared with its five nearest peers.",
    ),
]
PeersOf = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Compare this system with its five nearest peers (instead of `system`).",
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
    data: Annotated[AssessmentData, Depends(assessments)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    systems: Systems = None,
    peers_of: PeersOf = None,
    fmt: FormatQ = None,
) -> s.Page[s.ComparedSystem] | Response:
    if not systems and not peers_of:
        raise InvalidRequestError("choose systems with `system` (repeat it) or give `peers_of`")
    choice = choose(data, register, day, systems, peers_of)
    rows = compare(engine, register, day, choice.systems)
    return deps.listing(request, rows, paging, fmt, "compare")
