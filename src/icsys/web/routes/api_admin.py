"""``/api/v1/users`` and ``/api/v1/access-audit``: accounts and the audit of restricted reads
(administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal, list_users
from icsys.web.routes.api_structure import CSV, FormatQ
from icsys.web.services.access_audit import reads

router = APIRouter(tags=["admin"])


@router.get(
    "/users", response_model=s.Page[s.User], responses=CSV, summary="Accounts (admins only)"
)
def users(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    _admin: Annotated[Principal, Depends(deps.admin)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    fmt: FormatQ = None,
) -> s.Page[s.User] | Response:
    rows = [s.User(**{k: u[k] for k in s.User.model_fields}) for u in list_users(engine)]
    return deps.listing(request, rows, paging, fmt, "users")


@router.get(
    "/access-audit",
    response_model=s.Page[s.AccessRead],
    responses=CSV,
    summary="Restricted reads: unsuppressed figures, confidential papers (admins only)",
)
def access_audit(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    _admin: Annotated[Principal, Depends(deps.admin)],
    paging: Annotated[deps.Paging, Depends(deps.paging)],
    actor: Annotated[str | None, Query(max_length=128, description="Username")] = None,
    resource: Annotated[
        str | None, Query(max_length=64, description="indicator_values, paper or board_pack")
    ] = None,
    fmt: FormatQ = None,
) -> s.Page[s.AccessRead] | Response:
    rows = [s.AccessRead(**r) for r in reads(engine, actor=actor, resource=resource)]
    return deps.listing(request, rows, paging, fmt, "access-audit")
