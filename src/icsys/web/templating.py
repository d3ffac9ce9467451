"""Jinja with the NHS.UK frontend components (``nhsuk-frontend-jinja``) and the portal's pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from icsys.web.auth import ANONYMOUS, Principal
from icsys.web.security import CSRF_FIELD, csrf_token

NHSUK_FRONTEND_VERSION = "10.6.1"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _percent(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{100 * float(value):.{digits}f}%"


def _date(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


SECTOR_LABELS = {
    "nhs_commissioner": "NHS commissioner",
    "nhs_provider": "NHS providers",
    "primary_care": "Primary care",
    "mental_health": "Mental health",
    "local_government": "Local government",
    "social_care": "Social care",
    "vcse": "VCSE",
    "independent": "Independent sector",
    "healthwatch": "Healthwatch",
    "non_nhs": "Any non-NHS sector",
    "all": "All sectors",
}


def sector_label(value: Any) -> str:
    """How a sector code reads on a page (``vcse`` → ``VCSE``)."""
    return SECTOR_LABELS.get(str(value), _label(value))


def _label(value: Any) -> str:
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _size(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{value / 1024 / 1024:.1f} MB"
    return f"{max(1, round(value / 1024))} KB"


def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
        undefined=ChainableUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=_number,
        percent=_percent,
        nicedate=_date,
        label=_label,
        sector=sector_label,
        size=_size,
    )
    env.globals["csrf_field"] = CSRF_FIELD
    return env


ENV = environment()


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page: ``context`` plus the caller, the CSRF token and the current path."""
    principal = getattr(request.state, "principal", None)
    token = csrf_token(request)
    values = {
        "request": request,
        "principal": principal if isinstance(principal, Principal) else ANONYMOUS,
        "csrf_token": token,
        "path": request.url.path,
        **context,
    }
    html = ENV.get_template(template).render(values)
    if token in html:  # a form bound to this browser: never kept by any cache (nor ours)
        headers = {**(headers or {}), "Cache-Control": "no-store"}
    return HTMLResponse(html, status_code=status_code, headers=headers)
