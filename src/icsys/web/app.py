"""The portal: ``create_app(settings)`` builds the FastAPI application.

Pages (Jinja + NHS.UK frontend) and the JSON API under ``/api/v1`` share the same services and
access rules. Static files (the vendored NHS.UK frontend and the portal's own) are served from
the package; nothing is loaded from another site.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from icsys import __version__
from icsys.config import Settings
from icsys.store.db import open_store
from icsys.web import errors
from icsys.web.config import WebConfig, web_config
from icsys.web.page_cache import PageCache, PageCacheMiddleware, data_generation
from icsys.web.routes import API_ROUTERS, PAGE_ROUTERS
from icsys.web.schemas import ErrorBody
from icsys.web.security import LoginLimiter, SecurityMiddleware
from icsys.web.services.structure import Register
from icsys.web.templating import STATIC

API_V1 = "/api/v1"
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "The request cannot be answered as asked (code user_error, ...)"),
        (401, "Sign in first (authentication_required)"),
        (403, "The caller's role may not see this (permission_denied)"),
        (404, "No such record or route (not_found)"),
        (422, "A parameter is invalid (invalid_request)"),
    )
}

DESCRIPTION = """\
The public face of an integrated care system: its structure (systems, places, neighbourhoods),
its governance (bodies, members, meetings, decisions, papers, delegations, leadership) and,
as they land, indicators, assessments and peers.

* **Access**: anonymous callers see the public record and disclosure-controlled numbers;
  a signed-in session (cookie from `/sign-in`) adds what the account's role may see.
* **Lists** are paginated (`page`, `page_size`) and filtered (`level`, `system`, `as_of`, ...).
  Add `format=csv` (or send `Accept: text/csv`) for every matching row as CSV.
* **Errors** are JSON: `{"error": {"code", "status", "message"}}` with a stable `code`.
"""


def create_app(
    settings: Settings, config: WebConfig | None = None, *, engine: Engine | None = None
) -> FastAPI:
    """The portal over the data folder (and store) that ``settings`` describe."""
    config = config or web_config(settings)
    app = FastAPI(
        title="icsys API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_V1}/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from CDNs; the portal loads none
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.web_config = config
    app.state.engine = engine or open_store(settings)
    app.state.register = Register(app.state.engine, config.snapshot_ttl_seconds)
    app.state.limiter = LoginLimiter(
        config.login_attempts, config.login_attempts_per_client, config.login_window_seconds
    )
    errors.install(app)
    api = APIRouter(prefix=API_V1, responses=ERROR_RESPONSES)
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", StaticFiles(directory=STATIC / "nhsuk" / "assets"), name="assets")
    if config.page_cache_entries:
        app.state.page_cache = PageCache(
            lambda: data_generation(app.state.engine, settings),
            max_entries=config.page_cache_entries,
        )
        app.add_middleware(PageCacheMiddleware, cache=app.state.page_cache)
    app.add_middleware(SecurityMiddleware, config=config)  # outermost: headers on every answer
    return app
