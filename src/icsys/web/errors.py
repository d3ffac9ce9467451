"""The one place where errors become responses: JSON under ``/api``, an NHS.UK page elsewhere.

Every :class:`~icsys.errors.UserError` carries its HTTP status and a stable ``code``; framework
errors (unknown route, wrong method, invalid parameters) are given codes here too, so an API
client sees ``{"error": {"code": ..., "message": ..., "status": ...}}`` for every failure.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from icsys.errors import InvalidRecordError, NotFoundError, PermissionDeniedError, UserError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


class AuthenticationRequiredError(UserError):
    """The page or record needs a signed-in user."""

    http_status = 401
    code = "authentication_required"


class CsrfError(PermissionDeniedError):
    """A form arrived without the token of the session that showed it."""

    code = "csrf_failed"


class RateLimitedError(UserError):
    """Too many attempts (e.g. failed sign-ins) from one client in a short time."""

    http_status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class InvalidRequestError(UserError):
    """A query parameter or form field has a value the route does not accept."""

    http_status = 422
    code = "invalid_request"


class PayloadTooLargeError(UserError):
    """An upload is over the size limit."""

    http_status = 413
    code = "payload_too_large"


# Framework HTTP errors by status, with their stable codes.
_HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: NotFoundError.code,
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of every API error."""
    return {"error": {"code": code, "status": status, "message": message, **extra}}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/api"


def _respond(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, code, message, **extra), status, headers=headers)
    from icsys.web.templating import render  # noqa: PLC0415 - templating imports this module

    return render(
        request,
        "error.jinja",
        {"status": status, "code": code, "message": message, **extra},
        status_code=status,
        headers=headers,
    )


async def _user_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UserError)  # noqa: S101 - registered for UserError only
    extra: dict[str, Any] = {}
    headers = None
    if isinstance(exc, InvalidRecordError):
        extra["problems"] = [{"field": f, "message": m} for f, m in exc.problems]
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, AuthenticationRequiredError) and not _wants_json(request):
        return _sign_in_redirect(request)
    return _respond(request, exc.http_status, exc.code, str(exc), headers=headers, **extra)


def _sign_in_redirect(request: Request) -> Response:
    from fastapi.responses import RedirectResponse  # noqa: PLC0415

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote  # noqa: PLC0415

    return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"there is no page at {request.url.path}"
    return _respond(
        request, exc.status_code, code, message, headers=dict(exc.headers) if exc.headers else None
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    problems = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in {"query", "path"}),
            "message": str(err.get("msg", "is not valid")),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return _respond(
        request, 422, InvalidRequestError.code, f"invalid request: {detail}", problems=problems
    )


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, 500, "internal_error", "something went wrong on our side")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` (called once, by ``create_app``)."""
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)
