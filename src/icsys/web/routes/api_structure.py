"""``/api/v1``: the caller, areas of the structure register, systems, places, neighbourhoods."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from icsys.domain.levels import Level
from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.services import governance as gov
from icsys.web.services import structure
from icsys.web.services.structure import ListedLevel, Register

router = APIRouter(tags=["structure"])

CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
Code = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FormatQ = Annotated[deps.Format | None, Query(alias="format", description="json (default) or csv")]
LevelName = Annotated[ListedLevel, Query(description="The level of area to list.")]


@router.get("/me", response_model=s.Me, summary="Who the API thinks you are")
def me(who: Annotated[Principal, Depends(deps.principal)]) -> s.Me:
    return s.Me(
        role=who.role.value,
        username=who.username,
        system_code=who.system_code,
        person_id=who.person_id,
    )


@router.get(
    "/areas",
    response_model=s.Page[s.Area],
    responses=CSV,
    summary="Areas of one level, as at a date",
)
def areas(
    request: Request,
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    level: LevelName = ListedLevel.SYSTEM,
    system: Annotated[
        str | None, Query(max_length=200, description="System code, ODS code or name")
    ] = None,
    parent: Annotated[str | None, Query(max_length=64, description="Parent area code")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the code or name")] = None,
    fmt: FormatQ = None,
) -> s.Page[s.Area] | Response:
    snap = register.snapshot(day)
    rows = structure.list_areas(snap, Level(level.value), system=system, parent=parent, q=q)
    return deps.listing(request, rows, paging, fmt, f"areas-{level.value}-{day}")


@router.get("/areas/{level}/{code}", response_model=s.Area, summary="One area, as at a date")
def area(
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    level: ListedLevel,
    code: Code,
) -> s.Area:
    return structure.get_area(register.snapshot(day), Level(level.value), code)


@router.get(
    "/england",
    response_model=list[s.RegionSystems],
    summary="Every system by NHS region (search by name or code)",
)
def england(
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[s.RegionSystems]:
    return structure.england(register.snapshot(day), q)


@router.get("/systems/{system}", response_model=s.SystemFacts, summary="A system's structure")
def system(
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
) -> s.SystemFacts:
    return structure.system_facts(register, day, system)


@router.get(
    "/systems/{system}/partners",
    response_model=s.Page[s.Partner],
    responses=CSV,
    summary="A system's partner organisations by sector",
)
def partners(
    request: Request,
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    system: Code,
    fmt: FormatQ = None,
) -> s.Page[s.Partner] | Response:
    snap = register.snapshot(day)
    code = snap.resolve_system(system)
    members = gov.members(request.app.state.engine, system=code, on=day)
    rows = structure.partners(snap, code, members)
    return deps.listing(request, rows, paging, fmt, f"partners-{code}-{day}")


@router.get(
    "/systems/{system}/places/{place}", response_model=s.PlaceDetail, summary="A place of a system"
)
def place(
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    place: Code,
) -> s.PlaceDetail:
    return structure.place_detail(register, day, system, place)


@router.get(
    "/systems/{system}/neighbourhoods/{pcn}",
    response_model=s.NeighbourhoodDetail,
    summary="A neighbourhood (primary care network) and its practices",
)
def neighbourhood(
    register: Annotated[Register, Depends(deps.register)],
    day: Annotated[date, Depends(deps.as_of)],
    system: Code,
    pcn: Code,
) -> s.NeighbourhoodDetail:
    return structure.neighbourhood_detail(register.snapshot(day), system, pcn)
