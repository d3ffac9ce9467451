"""The record editor (administrators only): list, search, create, change and delete governance
records of every kind, through :mod:`icsys.governance.records` (validated and audited)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from icsys.errors import InvalidRecordError
from icsys.governance import records
from icsys.web import deps
from icsys.web.auth import Principal
from icsys.web.security import CSRF_FIELD, verify_csrf
from icsys.web.services import records_admin as forms
from icsys.web.services import records_table as table
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.admin)])

Admin = Annotated[Principal, Depends(deps.admin)]
Db = Annotated[Engine, Depends(deps.engine)]
PAGE_SIZE = 50


async def _form(request: Request) -> dict[str, str]:
    """The posted fields (text only), once the CSRF token has been checked."""
    async with request.form(max_files=0, max_fields=100, max_part_size=64 * 1024) as form:
        verify_csrf(request, str(form.get(CSRF_FIELD) or ""))
        return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


@router.get("/admin/records", response_class=HTMLResponse)
def kinds_page(request: Request, engine: Db) -> HTMLResponse:
    with engine.connect() as conn:
        found = table.kinds(conn)
    return render(request, "records.jinja", {"kinds": found})


@router.get("/admin/records/{kind}", response_class=HTMLResponse)
def list_page(
    request: Request,
    engine: Db,
    kind: str,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    k = records.kind(kind)
    with engine.connect() as conn:
        found = table.page(conn, kind, q=q, page_no=page, page_size=PAGE_SIZE)
    notice = {p: request.query_params.get(p) for p in ("saved", "outcome", "deleted")}
    return render(
        request,
        "record_list.jinja",
        {"kind": k, "q": q, "page": found, "notice": notice, "label_of": forms.label_of},
    )


def _form_page(
    request: Request,
    engine: Engine,
    kind: str,
    values: dict[str, str],
    *,
    key: str | None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        fields = forms.form_fields(conn, kind, editing=key is not None)
    context = {
        "kind": records.kind(kind),
        "fields": fields,
        "values": values,
        "errors": errors or {},
        "error_list": forms.error_list(fields, errors or {}),
        "key": key,
        "key_path": None if key is None else quote(key, safe="/"),
    }
    return render(request, "record_form.jinja", context, status_code=422 if errors else 200)


@router.get("/admin/records/{kind}/new", response_class=HTMLResponse)
def new_page(request: Request, engine: Db, kind: str) -> HTMLResponse:
    return _form_page(request, engine, kind, {}, key=None)


@router.post("/admin/records/{kind}/new", response_class=HTMLResponse)
async def create(request: Request, engine: Db, who: Admin, kind: str) -> Response:
    records.kind(kind)
    return await _save(request, engine, who, kind, None)


async def _save(
    request: Request, engine: Engine, who: Principal, kind: str, key: str | None
) -> Response:
    values = await _form(request)
    with engine.begin() as conn:
        outcome, saved, errors = forms.submit(
            conn, kind, values, key=key, actor=f"web:{who.username}"
        )
    if errors:
        return _form_page(request, engine, kind, values, key=key, errors=errors)
    query = urlencode({"saved": saved, "outcome": outcome})
    return RedirectResponse(f"/admin/records/{kind}?{query}", status_code=303)


@router.get("/admin/records/{kind}/{key:path}/delete", response_class=HTMLResponse)
def delete_page(request: Request, engine: Db, kind: str, key: str) -> HTMLResponse:
    with engine.connect() as conn:
        record = table.stored(conn, kind, key)
    return render(
        request,
        "record_delete.jinja",
        {
            "kind": records.kind(kind),
            "key": key,
            "path": quote(key, safe="/"),
            "rows": forms.summary_rows(kind, record),
        },
    )


@router.post("/admin/records/{kind}/{key:path}/delete", response_class=HTMLResponse)
async def delete(request: Request, engine: Db, who: Admin, kind: str, key: str) -> Response:
    await _form(request)
    k = records.kind(kind)
    try:
        with engine.begin() as conn:
            record = table.stored(conn, kind, key)
            records.delete_record(conn, kind, record, actor=f"web:{who.username}")
    except InvalidRecordError as exc:
        context = {
            "kind": k,
            "key": key,
            "path": quote(key, safe="/"),
            "rows": forms.summary_rows(kind, record),
            "error": exc.problems[0][1],
        }
        return render(request, "record_delete.jinja", context, status_code=422)
    query = urlencode({"deleted": key})
    return RedirectResponse(f"/admin/records/{kind}?{query}", status_code=303)


@router.get("/admin/records/{kind}/{key:path}", response_class=HTMLResponse)
def edit_page(request: Request, engine: Db, kind: str, key: str) -> HTMLResponse:
    with engine.connect() as conn:
        record = table.stored(conn, kind, key)
    return _form_page(request, engine, kind, forms.as_form(kind, record), key=key)


@router.post("/admin/records/{kind}/{key:path}", response_class=HTMLResponse)
async def update(request: Request, engine: Db, who: Admin, kind: str, key: str) -> Response:
    with engine.connect() as conn:
        table.stored(conn, kind, key)
    return await _save(request, engine, who, kind, key)
