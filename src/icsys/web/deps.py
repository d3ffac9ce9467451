"""Request dependencies: the store, the caller, dates, pagination and the response format."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import PermissionDeniedError
from icsys.web import schemas as s
from icsys.web.auth import ANONYMOUS, Principal, Role, session_principal
from icsys.web.config import WebConfig
from icsys.web.errors import AuthenticationRequiredError
from icsys.web.services.structure import Register

T = TypeVar("T", bound=BaseModel)

MAX_PAGE_SIZE = 500


def engine(request: Request) -> Engine:
    found: Engine = request.app.state.engine
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def web_config(request: Request) -> WebConfig:
    found: WebConfig = request.app.state.web_config
    return found


def register(request: Request) -> Register:
    found: Register = request.app.state.register
    return found


def principal(request: Request) -> Principal:
    """The caller: the account of a live session, else the public."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = getattr(request.state, "session_token", None)
    found = session_principal(engine(request), token) if token else None
    request.state.principal = found or ANONYMOUS
    return request.state.principal  # type: ignore[no-any-return]


def signed_in(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if not who.signed_in:
        raise AuthenticationRequiredError("sign in to see this")
    return who


def admin(who: Annotated[Principal, Depends(signed_in)]) -> Principal:
    if who.role is not Role.ADMIN:
        raise PermissionDeniedError("only an administrator may do this")
    return who


def as_of(
    as_of: Annotated[
        date | None,
        Query(description="The date the register is asked at (YYYY-MM-DD); default today."),
    ] = None,
) -> date:
    return as_of or date.today()  # noqa: DTZ011 - the register's dates are calendar dates


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int


def paging(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")] = 100,
) -> Paging:
    return Paging(page, page_size)


Format = Literal["json", "csv"]


def wants_csv(request: Request, fmt: Format | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def paginate(items: Sequence[T], p: Paging) -> s.Page[T]:
    start = (p.page - 1) * p.page_size
    return s.Page[T](
        items=list(items[start : start + p.page_size]),
        page=p.page,
        page_size=p.page_size,
        total=len(items),
        pages=math.ceil(len(items) / p.page_size),
    )


def _flat(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in model.model_dump(mode="json").items():
        if isinstance(value, dict):
            for k, v in value.items():
                out[f"{key}.{k}" if key != "extra" else k] = v
        elif isinstance(value, list):
            out[key] = len(value)
        else:
            out[key] = value
    return out


def csv_response(items: Sequence[BaseModel], filename: str) -> Response:
    """Rows as CSV (nested values flattened, lists counted), as a download."""
    rows = [_flat(x) for x in items]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
    )


def listing(
    request: Request, items: Sequence[T], p: Paging, fmt: Format | None, filename: str
) -> s.Page[T] | Response:
    """A page of ``items`` as JSON, or every item as CSV."""
    if wants_csv(request, fmt):
        return csv_response(items, filename)
    return paginate(items, p)
