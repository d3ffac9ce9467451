"""A cache of the public portal: anonymous GET responses, kept until the data changes.

Every anonymous visitor sees the same page for the same address on the same day and data, so
the portal keeps the rendered response and serves it again until the data changes. The data's
*generation* is the newest row of the store's change records (reference batches, the
governance audit trail, assessment runs, accounts) and the indicator mart's current run; it is
read before every cached answer (four indexed ``max()`` reads and the mart's manifest, about a
millisecond), so a change made by another process, such as ``icsys governance import``, shows
on the next request; ``check_seconds`` can trade that for fewer reads. Requests with a session
cookie (members, analysts, admins) are never cached or served from the cache, nor are responses
that set a cookie, carry ``Cache-Control: no-store`` (every page with a form's CSRF token) or
are not 200.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icsys.analytics.mart import read_current
from icsys.config import Settings
from icsys.store import assessment_models as am
from icsys.store import governance_models as gm
from icsys.store import models as m
from icsys.store import web_models as wm

SESSION_COOKIE = b"icsys_session"
MAX_BODY = 2 * 1024 * 1024
SAFE = {"GET", "HEAD"}
_CHANGES = (m.batch.c.id, gm.gov_audit.c.id, am.assessment_run.c.id, wm.web_user.c.id)


def data_generation(engine: Engine, settings: Settings) -> tuple[object, ...]:
    """The newest change in the store and the mart's current run: equal tuples, equal data."""
    with engine.connect() as conn:
        store = tuple(conn.execute(select(func.max(col))).scalar() for col in _CHANGES)
    mart = read_current(settings, missing_ok=True)
    return (*store, None if mart is None else mart.get("run_id"))


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class PageCache:
    """Responses by (method, path, query, accept, day), for one data generation."""

    generation: Callable[[], tuple[object, ...]]
    check_seconds: float = 0.0
    max_entries: int = 512
    hits: int = 0
    misses: int = 0
    _entries: OrderedDict[tuple[object, ...], _Entry] = field(default_factory=OrderedDict)
    _current: tuple[object, ...] | None = None
    _checked: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        current = self.generation()
        with self._lock:
            self._checked = now
            if current != self._current:
                self._current = current
                self._entries.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked = float("-inf")

    def get(self, key: tuple[object, ...]) -> tuple[object, _Entry | None]:
        """The entry for ``key`` (or None) and the generation it was looked up in."""
        self._fresh()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
            else:
                self._entries.move_to_end(key)
                self.hits += 1
            return self._current, entry

    def put(self, generation: object, key: tuple[object, ...], entry: _Entry) -> None:
        """Keep ``entry`` unless the data changed while it was being made."""
        with self._lock:
            if generation != self._current:
                return
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _header(scope: Scope, name: bytes) -> bytes:
    return b";".join(v for k, v in scope["headers"] if k == name)


class PageCacheMiddleware:
    """Serves anonymous GETs from a :class:`PageCache`; other writes clear it."""

    def __init__(self, app: ASGIApp, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE:
            await self.app(scope, receive, send)
            self.cache.clear()  # a form or API write through this portal shows at once
            return
        if SESSION_COOKIE in _header(scope, b"cookie") or scope["path"].startswith("/static"):
            await self.app(scope, receive, send)
            return
        key = (
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            _header(scope, b"accept"),
            date.today(),  # noqa: DTZ011 - pages default to today's calendar date, as deps.as_of
        )
        generation, entry = self.cache.get(key)
        if entry is not None:
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        await self.app(scope, receive, self._recording(generation, key, send))

    def _recording(self, generation: object, key: tuple[object, ...], send: Send) -> Send:
        start: dict[str, object] = {}
        chunks: list[bytes] = []
        state = {"cacheable": True, "size": 0}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                headers = message.get("headers", [])
                state["cacheable"] = message["status"] == 200 and not any(
                    k.lower() == b"set-cookie"
                    or (k.lower() == b"cache-control" and b"no-store" in v.lower())
                    for k, v in headers
                )
            elif message["type"] == "http.response.body" and state["cacheable"]:
                body = message.get("body", b"")
                state["size"] += len(body)
                chunks.append(body)
                if state["size"] > MAX_BODY:
                    state["cacheable"] = False
                elif not message.get("more_body", False):
                    headers = list(start.get("headers", []))  # type: ignore[call-overload]
                    self.cache.put(generation, key, _Entry(200, headers, b"".join(chunks)))
            await send(message)

        return record
