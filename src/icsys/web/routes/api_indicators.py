"""``/api/v1/indicators``: the indicator library, definitions and values as the caller may see them.

Values are the mart's public view (disclosure-controlled) unless the caller is an analyst of the
area's system or an admin, exactly as on the indicator pages; unsuppressed reads are audited.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.routes.api_structure import CSV, FormatQ
from icsys.web.routes.pages_indicators import (
    AreaQ,
    IndicatorId,
    area_names,
    indicator_data,
    values_csv,
)
from icsys.web.services import indicator_views as views
from icsys.web.services.indicators import SORT_COLUMNS, IndicatorData, RowQuery, rows
from icsys.web.services.structure import Register

router = APIRouter(tags=["indicators"])

LevelQ = Literal["england", "region", "system", "trust", "place", "sub_icb", "pcn"]
PeriodTypeQ = Literal["month", "quarter", "financial_year"]
BreakdownQ = Literal[
    "all", "sex", "age_band", "imd_quintile", "imd_decile", "core20", "ethnicity_group"
]


@router.get(
    "/indicators",
    response_model=s.Page[s.IndicatorSummary],
    responses=CSV,
    summary="The indicator library",
)
def indicators(
    request: Request,
    data: Annotated[IndicatorData, Depends(indicator_data)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    domain: Annotated[str | None, Query(max_length=64, description="Domain code")] = None,
    fmt: FormatQ = None,
) -> s.Page[s.IndicatorSummary] | Response:
    items = [i for i in views.catalogue(data.current()) if domain is None or i.domain == domain]
    return deps.listing(request, items, paging, fmt, "indicators")


@router.get(
    "/indicators/{indicator_id}",
    response_model=s.IndicatorDefinition,
    summary="One indicator's definition",
)
def indicator(
    data: Annotated[IndicatorData, Depends(indicator_data)], indicator_id: IndicatorId
) -> s.IndicatorDefinition:
    return views.definition(indicator_id, data.current())


@router.get(
    "/indicators/{indicator_id}/values",
    response_model=s.Page[s.IndicatorValue],
    responses=CSV,
    summary="An indicator's values (disclosure-controlled unless you are the area's analyst)",
)
def indicator_values(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    data: Annotated[IndicatorData, Depends(indicator_data)],
    who: Annotated[Principal, Depends(deps.principal)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    indicator_id: IndicatorId,
    area: AreaQ = None,
    level: Annotated[LevelQ | None, Query(description="Level of area")] = None,
    period_type: Annotated[PeriodTypeQ | None, Query(description="Period type")] = None,
    breakdown: Annotated[BreakdownQ | None, Query(description="Breakdown (all: totals)")] = None,
    fmt: FormatQ = None,
) -> s.Page[s.IndicatorValue] | Response:
    views.facts(indicator_id)
    run = data.current()
    if run is None or indicator_id not in run.indicators:  # nothing computed: an empty list
        items: list[s.IndicatorValue] = []
        if deps.wants_csv(request, fmt):
            return values_csv(items, f"{indicator_id}-values")
        return deps.paginate(items, paging)
    query = RowQuery(
        indicator_id,
        areas=(area,) if area else None,
        levels=(level,) if level else None,
        period_type=period_type,
        breakdown=breakdown,
    )
    frame = rows(run, engine, who, query)
    frame = frame.sort_values(SORT_COLUMNS)
    items = views.values(frame, area_names(register, run))
    if deps.wants_csv(request, fmt):
        return values_csv(items, f"{indicator_id}-values")
    return deps.paginate(items, paging)
