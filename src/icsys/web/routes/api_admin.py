"""``/api/v1/users``: accounts (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal, list_users
from icsys.web.routes.api_structure import CSV, FormatQ

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
