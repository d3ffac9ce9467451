"""Creating, changing and deleting governance records, validated and audited.

``save`` takes a whole record of one kind (see :mod:`icsys.governance.schema`), checks its values,
its references and the rules that need the store (attendance only at held meetings by members
in force that day, votes only by voting members, no overlapping holders of a post...), then
creates or updates it and writes an audit row. A record identical to the stored one is left
alone and not audited. Everything happens on the caller's connection, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from icsys.errors import InvalidRecordError, NotFoundError
from icsys.governance import audit
from icsys.governance.schema import KINDS, FieldError, Kind, coerce_row
from icsys.governance.vocab import MeetingStatus, PartyKind
from icsys.store import governance_models as g

SaveOutcome = Literal["created", "updated", "unchanged"]
Rule = Callable[[Connection, Mapping[str, object]], list[FieldError]]


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise NotFoundError(
            f"no kind of governance record {name!r}; expected one of {', '.join(KINDS)}"
        ) from None


def _where(k: Kind, values: Mapping[str, object]) -> list[ColumnElement[bool]]:
    return [k.table.c[col] == values[col] for col in k.key]


def get(conn: Connection, kind_name: str, key: Mapping[str, object]) -> dict[str, object] | None:
    """The stored record with ``key`` (its key columns), or ``None``."""
    k = kind(kind_name)
    row = conn.execute(select(k.table).where(*_where(k, key))).mappings().first()
    return dict(row) if row is not None else None


def check(conn: Connection, kind_name: str, raw: Mapping[str, object]) -> dict[str, object]:
    """Typed values of ``raw``, or :class:`InvalidRecordError` naming every problem."""
    k = kind(kind_name)
    values, errors = coerce_row(k, raw)
    if not errors:
        errors = _reference_errors(conn, k, values) or _rule_errors(conn, k, values)
    if errors:
        raise InvalidRecordError(
            f"{k.label} {k.key_of(values)}", [(e.column, e.message) for e in errors]
        )
    return values


def save(conn: Connection, kind_name: str, raw: Mapping[str, object], *, actor: str) -> SaveOutcome:
    """Create or replace one record (all its fields); audited."""
    k = kind(kind_name)
    values = check(conn, kind_name, raw)
    before = get(conn, kind_name, values)
    if before is None:
        conn.execute(insert(k.table).values(**values))
        audit.record(
            conn,
            actor=actor,
            table=k.table.name,
            key=k.key_of(values),
            action="create",
            before=None,
            after=values,
        )
        return "created"
    if all(before.get(c) == values[c] for c in k.columns):
        return "unchanged"
    conn.execute(update(k.table).where(*_where(k, values)).values(**values))
    audit.record(
        conn,
        actor=actor,
        table=k.table.name,
        key=k.key_of(values),
        action="update",
        before=before,
        after=values,
    )
    return "updated"


def update_fields(
    conn: Connection,
    kind_name: str,
    key: Mapping[str, object],
    changes: Mapping[str, object],
    *,
    actor: str,
) -> SaveOutcome:
    """Change some fields of a stored record; audited."""
    current = get(conn, kind_name, key)
    if current is None:
        raise NotFoundError(f"no {kind(kind_name).label} {kind(kind_name).key_of(key)}")
    return save(conn, kind_name, {**current, **changes}, actor=actor)


def delete_record(
    conn: Connection, kind_name: str, key: Mapping[str, object], *, actor: str
) -> None:
    """Delete one record that nothing else refers to; audited."""
    k = kind(kind_name)
    before = get(conn, kind_name, key)
    if before is None:
        raise NotFoundError(f"no {k.label} {k.key_of(key)}")
    users = _referrers(conn, k, before)
    if users:
        raise InvalidRecordError(
            f"{k.label} {k.key_of(before)}",
            [("id", f"is still referred to by {', '.join(users)}; delete those first")],
        )
    conn.execute(delete(k.table).where(*_where(k, before)))
    audit.record(
        conn,
        actor=actor,
        table=k.table.name,
        key=k.key_of(before),
        action="delete",
        before=before,
        after=None,
    )


def insert_new(
    conn: Connection, kind_name: str, rows: Sequence[Mapping[str, object]], *, actor: str
) -> int:
    """Bulk-create records known to be valid and new (synthetic and generated data); audited."""
    k = kind(kind_name)
    if not rows:
        return 0
    clean = [{c: row.get(c) for c in k.columns} for row in rows]
    conn.execute(insert(k.table), clean)
    audit.record_many(
        conn,
        actor=actor,
        table=k.table.name,
        action="create",
        changes=[(k.key_of(r), None, r) for r in clean],
    )
    return len(clean)


# --- references -----------------------------------------------------------------------------
def _exists(conn: Connection, kind_name: str, ident: object) -> bool:
    table = KINDS[kind_name].table
    return conn.execute(select(table.c.id).where(table.c.id == ident)).first() is not None


def _reference_errors(conn: Connection, k: Kind, values: Mapping[str, object]) -> list[FieldError]:
    errors = []
    for field in k.fields:
        value = values.get(field.name)
        if field.ref is None or value is None:
            continue
        if not _exists(conn, field.ref, value):
            errors.append(FieldError(field.name, f"unknown {KINDS[field.ref].label} {value!r}"))
    if k.name == "delegations":
        for side in ("from", "to"):
            code = values[f"{side}_code"]
            if values[f"{side}_kind"] == PartyKind.BODY and not _exists(conn, "bodies", code):
                errors.append(FieldError(f"{side}_code", f"unknown body {code!r}"))
    return errors


def _referrers(conn: Connection, k: Kind, row: Mapping[str, object]) -> list[str]:
    if "id" not in k.key:
        return []
    found = []
    for other in KINDS.values():
        for field in other.fields:
            if field.ref == k.name:
                n = conn.execute(
                    select(func.count()).where(other.table.c[field.name] == row["id"])
                ).scalar_one()
                if n:
                    found.append(f"{n} {other.label} record(s)")
    for column in ("item_id", "body_id"):
        if k.table is {"item_id": g.gov_item, "body_id": g.gov_body}[column]:
            n = conn.execute(
                select(func.count()).where(g.gov_paper.c[column] == row["id"])
            ).scalar_one()
            if n:
                found.append(f"{n} paper(s)")
    return found


# --- rules that need the store --------------------------------------------------------------
def _in_force(t: Table, on: date) -> ColumnElement[bool]:
    return and_(t.c.valid_from <= on, or_(t.c.valid_to.is_(None), t.c.valid_to >= on))


def membership(
    conn: Connection, body_id: str, person_id: str, on: date
) -> Mapping[str, object] | None:
    """The person's membership of the body in force on ``on`` (the voting one first)."""
    m = g.gov_member
    row = (
        conn.execute(
            select(m)
            .where(m.c.body_id == body_id, m.c.person_id == person_id, _in_force(m, on))
            .order_by(m.c.voting.desc(), m.c.valid_from.desc())
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def _meeting_of_decision(conn: Connection, decision_id: object) -> Mapping[str, object]:
    query = (
        select(g.gov_meeting)
        .join(g.gov_item, g.gov_item.c.meeting_id == g.gov_meeting.c.id)
        .join(g.gov_decision, g.gov_decision.c.item_id == g.gov_item.c.id)
        .where(g.gov_decision.c.id == decision_id)
    )
    return dict(conn.execute(query).mappings().one())


def _rule_errors(conn: Connection, k: Kind, values: Mapping[str, object]) -> list[FieldError]:
    rule = _RULES.get(k.name)
    return rule(conn, values) if rule else []


def _body_rule(_conn: Connection, values: Mapping[str, object]) -> list[FieldError]:
    if values["parent_id"] == values["id"]:
        return [FieldError("parent_id", "a body cannot be its own parent")]
    return []


def _attendance_rule(conn: Connection, values: Mapping[str, object]) -> list[FieldError]:
    meeting = (
        conn.execute(select(g.gov_meeting).where(g.gov_meeting.c.id == values["meeting_id"]))
        .mappings()
        .one()
    )
    if meeting["status"] != MeetingStatus.HELD:
        return [
            FieldError(
                "meeting_id",
                f"meeting {meeting['id']!r} is {meeting['status']}: attendance is recorded only "
                "for held meetings",
            )
        ]
    when: date = meeting["meeting_date"]
    if membership(conn, str(meeting["body_id"]), str(values["person_id"]), when) is None:
        return [
            FieldError(
                "person_id",
                f"{values['person_id']!r} is not a member of body {meeting['body_id']!r} "
                f"on {when.isoformat()}",
            )
        ]
    if values["status"] == "deputy" and not values.get("deputy_name"):
        return [FieldError("deputy_name", "is required when the status is deputy")]
    return []


def _member_rule(*, voting: bool) -> Rule:
    def rule(conn: Connection, values: Mapping[str, object]) -> list[FieldError]:
        meeting = _meeting_of_decision(conn, values["decision_id"])
        when: date = meeting["meeting_date"]  # type: ignore[assignment]
        member = membership(conn, str(meeting["body_id"]), str(values["person_id"]), when)
        if member is None or (voting and not member["voting"]):
            what = "a voting member" if voting else "a member"
            return [
                FieldError(
                    "person_id",
                    f"{values['person_id']!r} is not {what} of body {meeting['body_id']!r} "
                    f"on {when.isoformat()}",
                )
            ]
        return []

    return rule


def _tenure_rule(conn: Connection, values: Mapping[str, object]) -> list[FieldError]:
    t = g.gov_tenure
    start, end = values["start_on"], values["end_on"]
    query = select(t.c.id, t.c.start_on, t.c.end_on).where(
        t.c.post_id == values["post_id"],
        t.c.id != values["id"],
        or_(t.c.end_on.is_(None), t.c.end_on >= start),
    )
    if end is not None:
        query = query.where(t.c.start_on <= end)
    clash = conn.execute(query).first()
    if clash is not None:
        return [
            FieldError(
                "start_on",
                f"overlaps tenure {clash.id!r} of post {values['post_id']!r} "
                f"({clash.start_on.isoformat()} to "
                f"{clash.end_on.isoformat() if clash.end_on else 'now'})",
            )
        ]
    return []


_RULES: dict[str, Rule] = {
    "bodies": _body_rule,
    "attendance": _attendance_rule,
    "votes": _member_rule(voting=True),
    "dissents": _member_rule(voting=False),
    "tenures": _tenure_rule,
}


def keys_of(conn: Connection, kind_name: str) -> Iterable[tuple[object, ...]]:
    """Every stored key of a kind (for reconciliation)."""
    k = kind(kind_name)
    return [tuple(r) for r in conn.execute(select(*(k.table.c[c] for c in k.key)))]
