"""Security headers, the session cookie, CSRF tokens and the sign-in rate limit.

* Every response carries a strict Content-Security-Policy (scripts and styles only from the
  portal itself, no inline script or style), ``nosniff``, no framing, a same-origin referrer
  policy and, over HTTPS, HSTS. Responses to a signed-in browser are ``no-store``.
* The session cookie (``icsys_session``) holds a random token; it is ``HttpOnly``,
  ``SameSite=Lax`` and ``Secure``. A second cookie (``icsys_seed``, ``SameSite=Strict``) binds
  CSRF tokens for visitors who have not signed in (the sign-in form itself).
* A CSRF token is the session (or seed) digest signed with the portal's secret and a timestamp
  (``itsdangerous``); every POST form carries it in ``csrf_token`` and :func:`verify_csrf`
  checks it before anything else is read.
* Failed sign-ins are counted per username and client, and per client, in a sliding window;
  past the limit a sign-in is refused with 429 before the password is checked.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from icsys.web.config import WebConfig
from icsys.web.errors import CsrfError, RateLimitedError

SESSION_COOKIE = "icsys_session"
SEED_COOKIE = "icsys_seed"
CSRF_FIELD = "csrf_token"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is ignored, not an error
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def cookie_header(
    name: str, value: str, *, secure: bool, samesite: str, max_age: int | None
) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", f"SameSite={samesite}"]
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


class SecurityMiddleware:
    """Adds the security headers, reads the session and seed cookies, and sets a new seed."""

    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        state = scope.setdefault("state", {})
        state["session_token"] = cookies.get(SESSION_COOKIE)
        seed = cookies.get(SEED_COOKIE)
        new_seed = seed is None or len(seed) < 20
        if new_seed:
            seed = secrets.token_urlsafe(24)
        state["csrf_seed"] = seed
        https = scope.get("scheme") == "https"
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in HEADERS.items():
                    if key.encode() not in present:
                        headers.append((key.encode(), value.encode()))
                if https:
                    headers.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                if b"cache-control" not in present:
                    static = path.startswith(("/static/", "/assets/"))
                    value = "public, max-age=3600" if static else "no-store"
                    headers.append((b"cache-control", value.encode()))
                if new_seed and not path.startswith(("/static/", "/assets/")):
                    cookie = cookie_header(
                        SEED_COOKIE,
                        str(seed),
                        secure=self.config.secure_cookies,
                        samesite="Strict",
                        max_age=None,
                    )
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _serializer(config: WebConfig) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.secret_key, salt="icsys-csrf")


def _binding(request: Request) -> str:
    token = getattr(request.state, "session_token", None) or getattr(request.state, "csrf_seed", "")
    return hashlib.sha256(str(token).encode()).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The token forms shown to this browser must send back."""
    config: WebConfig = request.app.state.web_config
    return str(_serializer(config).dumps(_binding(request)))


def verify_csrf(request: Request, token: str | None) -> None:
    """Refuse a form whose token is missing, forged, expired or from another session."""
    config: WebConfig = request.app.state.web_config
    if not token:
        raise CsrfError("the form is missing its security token; reload the page and try again")
    try:
        bound = _serializer(config).loads(token, max_age=config.session_minutes * 60)
    except BadSignature:
        raise CsrfError("the form's security token is not valid; reload the page") from None
    if not secrets.compare_digest(str(bound), _binding(request)):
        raise CsrfError("the form's security token is from another session; reload the page")


class LoginLimiter:
    """Failed sign-ins in a sliding window, per (client, username) and per client (in memory)."""

    def __init__(self, per_user: int, per_client: int, window_seconds: int) -> None:
        self.per_user = per_user
        self.per_client = per_client
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            user = self._recent((client, username.lower()), now)
            anyone = self._recent((client, ""), now)
            over = len(user) >= self.per_user or len(anyone) >= self.per_client
            oldest = min([*(user or [now]), *(anyone or [now])])
        if over:
            retry = max(1, int(oldest + self.window - now))
            raise RateLimitedError(
                f"too many failed sign-ins; try again in {retry // 60 + 1} minutes",
                retry_after=retry,
            )

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent((client, username.lower()), now).append(now)
            self._recent((client, ""), now).append(now)

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop((client, username.lower()), None)
