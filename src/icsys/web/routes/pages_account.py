"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from icsys.web import deps
from icsys.web.auth import Principal, authenticate, end_session, start_session
from icsys.web.config import WebConfig
from icsys.web.security import SESSION_COOKIE, LoginLimiter, cookie_header, verify_csrf
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])

NextQ = Annotated[str, Query(alias="next", max_length=500)]


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no ``//``) is followed after signing in."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, target: NextQ = "/") -> HTMLResponse:
    return render(request, "sign_in.jinja", {"next": safe_next(target), "error": None})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    config: Annotated[WebConfig, Depends(deps.web_config)],
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=500)] = "",
    target: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    verify_csrf(request, csrf_token)
    limiter: LoginLimiter = request.app.state.limiter
    client = _client(request)
    limiter.check(client, username)
    who = authenticate(engine, username.strip(), password) if username and password else None
    if who is None:
        limiter.failed(client, username)
        return render(
            request,
            "sign_in.jinja",
            {
                "next": safe_next(target),
                "error": "Enter a correct username and password",
                "username": username,
            },
            status_code=400,
        )
    limiter.succeeded(client, username)
    old = getattr(request.state, "session_token", None)
    if old:
        end_session(engine, old)
    token = start_session(engine, who, config.session_minutes)
    response = RedirectResponse(safe_next(target), status_code=303)
    response.headers.append(
        "set-cookie",
        cookie_header(
            SESSION_COOKIE,
            token,
            secure=config.secure_cookies,
            samesite="Lax",
            max_age=config.session_minutes * 60,
        ),
    )
    return response


@router.get("/sign-out", response_class=HTMLResponse)
def sign_out_form(request: Request, who: Annotated[Principal, Depends(deps.principal)]) -> Response:
    if not who.signed_in:
        return RedirectResponse("/", status_code=303)
    return render(request, "sign_out.jinja", {})


@router.post("/sign-out")
def sign_out(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    config: Annotated[WebConfig, Depends(deps.web_config)],
    csrf_token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    verify_csrf(request, csrf_token)
    token = getattr(request.state, "session_token", None)
    if token:
        end_session(engine, token)
    response = RedirectResponse("/", status_code=303)
    response.headers.append(
        "set-cookie",
        cookie_header(SESSION_COOKIE, "", secure=config.secure_cookies, samesite="Lax", max_age=0),
    )
    return response
