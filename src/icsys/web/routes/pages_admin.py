"""Administration: accounts, and uploading board papers (checked for type and size)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.datastructures import UploadFile

from icsys.config import Settings
from icsys.errors import InvalidRecordError, UserError
from icsys.governance.papers import PaperMeta, store_paper
from icsys.governance.vocab import Classification
from icsys.web import deps
from icsys.web.auth import Principal, list_users
from icsys.web.config import WebConfig
from icsys.web.errors import PayloadTooLargeError
from icsys.web.security import verify_csrf
from icsys.web.templating import render

router = APIRouter(include_in_schema=False)

FORM_OVERHEAD = 64 * 1024  # room for the other fields and multipart boundaries


def _page(request: Request, engine: Engine, **context: object) -> HTMLResponse:
    values = {
        "users": list_users(engine),
        "classifications": [c.value for c in Classification],
        "errors": [],
        "values": {},
        "stored": None,
        **context,
    }
    status = 422 if values["errors"] else 200
    return render(request, "admin.jinja", values, status_code=status)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    _admin: Annotated[Principal, Depends(deps.admin)],
) -> HTMLResponse:
    return _page(request, engine, stored=request.query_params.get("stored"))


async def _document(upload: object, max_bytes: int) -> tuple[str, bytes, list[tuple[str, str]]]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return "", b"", [("document", "Choose a file to upload")]
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        return upload.filename, b"", [("document", f"The file must be under {max_bytes:,} bytes")]
    return upload.filename, content, []


def _meta(values: dict[str, str]) -> tuple[PaperMeta | None, list[tuple[str, str]]]:
    errors = [
        (field, f"Enter the paper's {field}")
        for field in ("id", "title")
        if not values.get(field, "").strip()
    ]
    published_on = None
    if published := values.get("published_on", "").strip():
        try:
            published_on = date.fromisoformat(published)
        except ValueError:
            errors.append(("published_on", "Enter a date as YYYY-MM-DD"))
    if values.get("classification") not in {c.value for c in Classification}:
        errors.append(("classification", "Choose public or confidential"))
    if errors:
        return None, errors
    return PaperMeta(
        id=values["id"].strip(),
        title=values["title"].strip(),
        classification=Classification(values["classification"]),
        published_on=published_on,
        author_org=values.get("author_org") or None,
        item_id=values.get("item_id") or None,
        body_id=values.get("body_id") or None,
    ), []


@router.post("/admin/papers", response_class=HTMLResponse)
async def upload_paper(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    settings: Annotated[Settings, Depends(deps.settings)],
    config: Annotated[WebConfig, Depends(deps.web_config)],
    who: Annotated[Principal, Depends(deps.admin)],
) -> Response:
    length = int(request.headers.get("content-length") or 0)
    if length > config.max_upload_bytes + FORM_OVERHEAD:
        raise PayloadTooLargeError(
            f"the upload is over the limit of {config.max_upload_bytes:,} bytes"
        )
    async with request.form(max_files=1, max_fields=20, max_part_size=64 * 1024) as form:
        verify_csrf(request, str(form.get("csrf_token") or ""))
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        filename, content, errors = await _document(form.get("document"), config.max_upload_bytes)
    meta, problems = _meta(values)
    errors += problems
    if meta is not None and not errors:
        try:
            with engine.begin() as conn:
                store_paper(
                    conn,
                    settings,
                    meta,
                    filename=filename,
                    content=content,
                    actor=f"web:{who.username}",
                    max_bytes=config.max_upload_bytes,
                )
        except InvalidRecordError as exc:
            errors.extend(exc.problems)
        except UserError as exc:
            errors.append(("document", str(exc)))
    if meta is None or errors:
        return _page(request, engine, errors=errors, values=values)
    return RedirectResponse(f"/admin?stored={meta.id}", status_code=303)
