"""The audit trail of governance records: who changed what, when, from what, to what.

Every create, update and delete made through :mod:`icsys.governance.records` (and paper storage)
writes one ``gov_audit`` row in the same transaction as the change, so the trail and the records
never disagree. Rows are never updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select

from icsys.store import governance_models as g

Action = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    table: str
    key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(row: Mapping[str, object] | None) -> str | None:
    if row is None:
        return None
    return json.dumps(dict(row), default=_default, sort_keys=True)


def record(
    conn: Connection,
    *,
    actor: str,
    table: str,
    key: str,
    action: Action,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
) -> None:
    """Write one audit row (inside the caller's transaction)."""
    record_many(conn, actor=actor, table=table, action=action, changes=[(key, before, after)])


def record_many(
    conn: Connection,
    *,
    actor: str,
    table: str,
    action: Action,
    changes: Iterable[tuple[str, Mapping[str, object] | None, Mapping[str, object] | None]],
) -> int:
    """Write one audit row per ``(key, before, after)``; returns how many."""
    if not actor.strip():
        raise ValueError("an audited change needs an actor")
    now = datetime.now(UTC)
    rows = [
        {
            "at": now,
            "actor": actor,
            "table_name": table,
            "record_key": key,
            "action": action,
            "before": to_json(before),
            "after": to_json(after),
        }
        for key, before, after in changes
    ]
    if rows:
        conn.execute(insert(g.gov_audit), rows)
    return len(rows)


def history(
    engine: Engine, *, table: str | None = None, key: str | None = None
) -> Sequence[AuditEntry]:
    """The audit trail, oldest first, optionally for one table and one record key."""
    query = select(g.gov_audit).order_by(g.gov_audit.c.id)
    if table is not None:
        query = query.where(g.gov_audit.c.table_name == table)
    if key is not None:
        query = query.where(g.gov_audit.c.record_key == key)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        AuditEntry(
            id=r["id"],
            at=r["at"],
            actor=r["actor"],
            table=r["table_name"],
            key=r["record_key"],
            action=r["action"],
            before=json.loads(r["before"]) if r["before"] else None,
            after=json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]
