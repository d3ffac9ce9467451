"""Derive the effective-dated views (edges, areas, organisations, successions) from what the
loaded files said. Runs inside the load's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, cast, delete, select

from icsys.domain.dating import Assertion, derive_edges
from icsys.domain.levels import Level, Relation
from icsys.domain.successions import Succession, detect_successions
from icsys.store import models as m
from icsys.store.bulk import bulk_insert

Key = tuple[str, str, str]
_LSOAS = (Level.LSOA11.value, Level.LSOA21.value)


def _family(key: Key) -> list[Key]:
    """LSOA 2011 and 2021 edges to the same parent level close on each other's snapshots."""
    relation, child, parent = key
    if relation == Relation.PARENT and child in _LSOAS:
        return [(relation, level, parent) for level in _LSOAS]
    return [key]


@lru_cache(maxsize=65536)
def _parse_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _as_date(value: object) -> date:
    """Dates come back as ISO text (cast in the query): few distinct values, so cache them."""
    return value if isinstance(value, date) else _parse_date(str(value))


def _text(column: ColumnElement[Any]) -> ColumnElement[str]:
    return cast(column, String)


def rebuild_edges(conn: Connection, touched: Iterable[Key]) -> int:
    keys = sorted({k for key in touched for k in _family(key)})
    written = 0
    for key in keys:
        family = _family(key)
        snapshot_dates = {
            _as_date(d)
            for (d,) in conn.execute(
                select(m.snapshot.c.snapshot_date).where(
                    m.snapshot.c.relation == key[0],
                    m.snapshot.c.parent_level == key[2],
                    m.snapshot.c.child_level.in_([f[1] for f in family]),
                )
            )
        }
        rows = conn.execute(
            select(
                m.assertion.c.child,
                m.assertion.c.parent,
                _text(m.assertion.c.valid_from),
                _text(m.assertion.c.valid_to),
                m.assertion.c.share,
                _text(m.snapshot.c.snapshot_date),
            )
            .join(
                m.snapshot,
                (m.snapshot.c.batch_id == m.assertion.c.batch_id)
                & (m.snapshot.c.relation == m.assertion.c.relation)
                & (m.snapshot.c.child_level == m.assertion.c.child_level)
                & (m.snapshot.c.parent_level == m.assertion.c.parent_level),
            )
            .where(
                m.assertion.c.relation == key[0],
                m.assertion.c.child_level == key[1],
                m.assertion.c.parent_level == key[2],
            )
        )
        assertions = [
            Assertion(
                child,
                parent,
                _as_date(start),
                _as_date(end) if end is not None else None,
                _as_date(snap),
                share,
            )
            for child, parent, start, end, share, snap in rows
        ]
        conn.execute(
            delete(m.edge).where(
                m.edge.c.relation == key[0],
                m.edge.c.child_level == key[1],
                m.edge.c.parent_level == key[2],
            )
        )
        edges = derive_edges(assertions, snapshot_dates)
        written += bulk_insert(
            conn,
            m.edge,
            [
                "relation",
                "child_level",
                "child",
                "parent_level",
                "parent",
                "valid_from",
                "valid_to",
                "share",
            ],
            [
                (*key[:2], e.child, key[2], e.parent, e.valid_from, e.valid_to, e.share)
                for e in edges
            ],
        )
    return written


def rebuild_areas(conn: Connection, levels: Iterable[str]) -> None:
    """Each area's name and ODS code as the latest snapshot states them."""
    levels = sorted(set(levels))
    latest: dict[tuple[str, str], list[str | None]] = {}
    rows = conn.execute(
        select(
            m.area_record.c.level,
            m.area_record.c.code,
            m.area_record.c.name,
            m.area_record.c.ods_code,
        )
        .where(m.area_record.c.level.in_(levels))
        .order_by(m.area_record.c.snapshot_date, m.area_record.c.batch_id)
    )
    for level, code, name, ods in rows:
        current = latest.setdefault((level, code), [None, None])
        current[0] = name or current[0]
        current[1] = ods or current[1]
    conn.execute(delete(m.area).where(m.area.c.level.in_(levels)))
    bulk_insert(
        conn, m.area, ["level", "code", "name", "ods_code"], [(*k, *v) for k, v in latest.items()]
    )


def rebuild_organisations(conn: Connection) -> None:
    cols = [
        "ods_code",
        "name",
        "org_type",
        "trust_type",
        "sector",
        "postcode",
        "open_date",
        "close_date",
        "status",
    ]
    latest: dict[str, list[object]] = {}
    rows = conn.execute(
        select(*(m.org_record.c[c] for c in cols)).order_by(
            m.org_record.c.snapshot_date, m.org_record.c.batch_id
        )
    )
    for row in rows:
        current = latest.setdefault(row[0], list(row))
        for i, value in enumerate(row):
            if value is not None:
                current[i] = value
    acute = {
        child
        for (child,) in conn.execute(
            select(m.assertion.c.child).where(m.assertion.c.relation == Relation.CATCHMENT)
        )
    }
    for org in latest.values():  # trusts in the acute catchment populations are acute trusts
        if org[2] == "nhs_trust" and org[3] == "unknown" and org[0] in acute:
            org[3] = "acute"
    conn.execute(delete(m.organisation))
    bulk_insert(conn, m.organisation, cols, list(latest.values()))


def rebuild_successions(conn: Connection) -> int:
    exists: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
    for level, code, start, end in conn.execute(
        select(m.edge.c.child_level, m.edge.c.child, m.edge.c.valid_from, m.edge.c.valid_to).where(
            m.edge.c.relation == Relation.EXISTS
        )
    ):
        exists[level].append((code, _as_date(start), _as_date(end) if end is not None else None))
    ods = {
        (lv, code): o
        for lv, code, o in conn.execute(select(m.area.c.level, m.area.c.code, m.area.c.ods_code))
    }
    children: dict[str, list[tuple[str, str, date, date | None]]] = defaultdict(list)
    for child_level, child, parent_level, parent, start, end in conn.execute(
        select(
            m.edge.c.child_level,
            m.edge.c.child,
            m.edge.c.parent_level,
            m.edge.c.parent,
            m.edge.c.valid_from,
            m.edge.c.valid_to,
        ).where(
            m.edge.c.relation == Relation.PARENT,
            m.edge.c.parent_level.in_([Level.LAD, Level.SUB_ICB]),
        )
    ):
        if child_level == Level.LSOA21 or parent_level == Level.LAD:
            children[parent_level].append(
                (
                    f"{child_level}:{child}",
                    parent,
                    _as_date(start),
                    _as_date(end) if end is not None else None,
                )
            )
    found = detect_successions(exists, ods, children)
    stated = conn.execute(
        select(
            m.declared_succession.c.level,
            m.declared_succession.c.old_code,
            m.declared_succession.c.new_code,
            _text(m.declared_succession.c.effective),
            m.declared_succession.c.kind,
            m.declared_succession.c.share,
            m.declared_succession.c.basis,
        )
    )
    seen = {(s.level, s.old_code, s.new_code) for s in found}
    found += [
        Succession(level, old, new, _as_date(when), kind, share, basis)
        for level, old, new, when, kind, share, basis in stated
        if (level, old, new) not in seen
    ]
    conn.execute(delete(m.succession))
    return bulk_insert(
        conn,
        m.succession,
        ["level", "old_code", "new_code", "effective", "kind", "share", "basis"],
        [(s.level, s.old_code, s.new_code, s.effective, s.kind, s.share, s.basis) for s in found],
    )
