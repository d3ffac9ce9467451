"""The audit of restricted reads: who saw unsuppressed figures or confidential papers, and when.

One ``access_audit`` row per read (see :mod:`icsys.store.web_models`); an administrator lists
them with ``GET /api/v1/access-audit``. Public reads are not recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from icsys.governance.audit import to_json
from icsys.store.web_models import access_audit
from icsys.web.auth import Principal


def record_read(
    engine: Engine, who: Principal, resource: str, key: str, detail: dict[str, Any]
) -> None:
    """Record that ``who`` read ``resource`` ``key`` (committed at once, on its own)."""
    with engine.begin() as conn:
        conn.execute(
            insert(access_audit).values(
                at=datetime.now(UTC),
                actor=who.username or "unknown",
                role=who.role.value,
                resource=resource,
                record_key=key[:2000],
                detail=to_json(detail),
            )
        )


def reads(
    engine: Engine, *, actor: str | None = None, resource: str | None = None
) -> list[dict[str, Any]]:
    """Recorded reads, newest first."""
    query = select(access_audit).order_by(access_audit.c.id.desc())
    if actor is not None:
        query = query.where(access_audit.c.actor == actor)
    if resource is not None:
        query = query.where(access_audit.c.resource == resource)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]  # noqa: SLF001 - SQLAlchemy's API
