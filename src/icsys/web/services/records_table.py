"""Governance records for the admin editor: the kinds with their counts, a searchable page of
one kind's records, record keys in addresses, and the choices a reference field offers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Connection, String, cast, func, or_, select

from icsys.errors import NotFoundError
from icsys.governance import records
from icsys.governance.schema import KINDS, FieldError, Kind, coerce

MAX_OPTIONS = 300  # a reference to a kind with more records is typed as an id, not chosen
_NAMED = ("name", "title")


@dataclass(frozen=True)
class KindSummary:
    name: str
    label: str
    count: int


@dataclass(frozen=True)
class RecordPage:
    """One page of a kind's records (as stored), with the columns to show."""

    columns: tuple[str, ...]
    rows: list[dict[str, object]]
    keys: list[str]  # the address form of each row's key
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def kinds(conn: Connection) -> list[KindSummary]:
    """Every kind of governance record, in dependency order, with how many are stored."""
    return [
        KindSummary(
            k.name, k.label, conn.execute(select(func.count()).select_from(k.table)).scalar_one()
        )
        for k in KINDS.values()
    ]


def key_path(k: Kind, values: Mapping[str, object]) -> str:
    """The record's key as it appears in an address (components joined by ``/``)."""
    return "/".join(quote(str(values.get(c)), safe="") for c in k.key)


def parse_key(k: Kind, key: str) -> dict[str, object]:
    """The typed key columns named by an address's ``key`` (the last part takes any rest)."""
    parts = key.split("/", len(k.key) - 1) if len(k.key) > 1 else [key]
    fields = {f.name: f for f in k.fields}
    try:
        if len(parts) != len(k.key) or not all(parts):
            raise FieldError("key", f"expected {' / '.join(k.key)}")  # noqa: TRY301
        return {c: coerce(fields[c], part) for c, part in zip(k.key, parts, strict=True)}
    except FieldError as exc:
        raise NotFoundError(f"no {k.label} {key!r}: {exc}") from None


def stored(conn: Connection, kind_name: str, key: str) -> dict[str, object]:
    """The stored record at ``key``, or :class:`NotFoundError`."""
    k = records.kind(kind_name)
    found = records.get(conn, kind_name, parse_key(k, key))
    if found is None:
        raise NotFoundError(f"no {k.label} {key!r}")
    return found


def shown_columns(k: Kind) -> tuple[str, ...]:
    """The key, then the first other fields, up to five columns."""
    rest = [c for c in k.columns if c not in k.key]
    return (*k.key, *rest[: max(0, 5 - len(k.key))])


def page(
    conn: Connection, kind_name: str, *, q: str = "", page_no: int = 1, page_size: int = 50
) -> RecordPage:
    """Records of a kind in key order; ``q`` matches part of any text field (any case)."""
    k = records.kind(kind_name)
    query = select(k.table)
    if q.strip():
        texts = [f.name for f in k.fields if f.ftype in {"text", "enum"}]
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(*(func.lower(cast(k.table.c[c], String)).like(pattern) for c in texts))
        )
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        conn.execute(
            query.order_by(*(k.table.c[c] for c in k.key))
            .offset((page_no - 1) * page_size)
            .limit(page_size)
        )
        .mappings()
        .all()
    )
    found = [dict(r) for r in rows]
    return RecordPage(
        columns=shown_columns(k),
        rows=found,
        keys=[key_path(k, r) for r in found],
        page=page_no,
        page_size=page_size,
        total=total,
    )


def reference_options(conn: Connection, ref: str) -> Sequence[tuple[str, str]] | None:
    """``(id, text)`` of every record a reference to ``ref`` may name, or ``None`` if too many."""
    table = KINDS[ref].table
    if conn.execute(select(func.count()).select_from(table)).scalar_one() > MAX_OPTIONS:
        return None
    named = next((c for c in _NAMED if c in table.c), None)
    columns = [table.c.id] + ([table.c[named]] if named else [])
    rows = conn.execute(select(*columns).order_by(table.c.id)).all()
    return [(str(r[0]), f"{r[0]} – {r[1]}" if named else str(r[0])) for r in rows]
