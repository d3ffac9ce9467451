"""``/api/v1/records/{kind}``: governance records as JSON for administrators, read, created,
replaced and deleted through :mod:`icsys.governance.records` (the same validation and audit
trail as the forms and the import). Bodies must be ``application/json``: a cross-site page cannot
send that with the session cookie without a CORS preflight, which the portal never grants."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from icsys.errors import InvalidRecordError
from icsys.governance import records
from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.services import records_table as table

router = APIRouter(tags=["records"], dependencies=[Depends(deps.admin)])

Admin = Annotated[Principal, Depends(deps.admin)]
Db = Annotated[Engine, Depends(deps.engine)]
Values = Annotated[
    dict[str, Any], Body(description="The record's fields by name (dates as YYYY-MM-DD).")
]


def _json_only(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, "send the record as application/json")


def _out(kind: str, values: dict[str, object], outcome: str | None = None) -> s.Record:
    k = records.kind(kind)
    return s.Record(kind=kind, key=k.key_of(values), outcome=outcome, values=values)


@router.get(
    "/records/{kind}/{key:path}", response_model=s.Record, summary="One record (admins only)"
)
def read(engine: Db, kind: str, key: str) -> s.Record:
    with engine.connect() as conn:
        return _out(kind, table.stored(conn, kind, key))


@router.post(
    "/records/{kind}",
    response_model=s.Record,
    status_code=201,
    dependencies=[Depends(_json_only)],
    summary="Create a record (admins only)",
)
def create(engine: Db, who: Admin, kind: str, values: Values) -> s.Record:
    k = records.kind(kind)
    with engine.begin() as conn:
        typed = records.check(conn, kind, values)
        if records.get(conn, kind, typed) is not None:
            raise InvalidRecordError(
                f"{k.label} {k.key_of(typed)}", [(k.key[-1], "already exists; change it with PUT")]
            )
        outcome = records.save(conn, kind, typed, actor=f"web:{who.username}")
        stored = records.get(conn, kind, typed)
    assert stored is not None  # noqa: S101 - just saved
    return _out(kind, stored, outcome)


@router.put(
    "/records/{kind}/{key:path}",
    response_model=s.Record,
    dependencies=[Depends(_json_only)],
    summary="Replace a record's fields (admins only)",
)
def replace(engine: Db, who: Admin, kind: str, key: str, values: Values) -> s.Record:
    k = records.kind(kind)
    with engine.begin() as conn:
        where = table.parse_key(k, key)
        table.stored(conn, kind, key)
        outcome = records.save(conn, kind, {**values, **where}, actor=f"web:{who.username}")
        return _out(kind, table.stored(conn, kind, key), outcome)


@router.delete(
    "/records/{kind}/{key:path}", status_code=204, summary="Delete a record (admins only)"
)
def remove(engine: Db, who: Admin, kind: str, key: str) -> Response:
    with engine.begin() as conn:
        record = table.stored(conn, kind, key)
        records.delete_record(conn, kind, record, actor=f"web:{who.username}")
    return Response(status_code=204)
