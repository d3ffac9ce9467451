"""Reading the meetings of a period, with what hangs off them, for the meeting measures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, select

from icsys.governance.measures.period import Period
from icsys.store import governance_models as g


@dataclass
class Item:
    id: str
    part: str
    presenting_sector: str | None
    contributions: dict[str, str] = field(default_factory=dict)  # sector -> kind
    papers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Decision:
    id: str
    item: Item
    contributions: dict[str, str] = field(default_factory=dict)
    votes: dict[str, str] = field(default_factory=dict)  # person -> vote
    dissents: set[str] = field(default_factory=set)


@dataclass
class Meeting:
    id: str
    body_id: str
    system_code: str
    day: date
    status: str
    public_part: bool
    notice_on: date | None
    items: list[Item] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    attendance: dict[str, str] = field(default_factory=dict)  # person -> status


@dataclass(frozen=True)
class Membership:
    body_id: str
    person_id: str
    sector: str
    role: str
    voting: bool
    valid_from: date
    valid_to: date | None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Record:
    meetings: list[Meeting]
    members: dict[str, list[Membership]]  # body -> memberships


def _scope(system: str | None, body: str | None) -> list[ColumnElement[bool]]:
    where = []
    if system is not None:
        where.append(g.gov_body.c.system_code == system)
    if body is not None:
        where.append(g.gov_body.c.id == body)
    return where


def _via_meeting(
    query: Select[Any], period: Period, where: list[ColumnElement[bool]]
) -> Select[Any]:
    return query.join(g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id).where(
        g.gov_meeting.c.meeting_date >= period.start,
        g.gov_meeting.c.meeting_date <= period.end,
        *where,
    )


def load(
    engine: Engine, period: Period, *, system: str | None = None, body: str | None = None
) -> Record:
    """Meetings dated in ``period`` of the bodies in scope, and the memberships of those bodies."""
    where = _scope(system, body)
    with engine.connect() as conn:
        meetings = _meetings(conn, period, where)
        items = _items(conn, period, where, meetings)
        _papers(conn, period, where, items)
        decisions = _decisions(conn, period, where, items, meetings)
        _decision_details(conn, period, where, decisions)
        members = _members(conn, where)
    return Record(sorted(meetings.values(), key=lambda m: (m.day, m.id)), members)


def _meetings(
    conn: Connection, period: Period, where: list[ColumnElement[bool]]
) -> dict[str, Meeting]:
    m = g.gov_meeting
    query = _via_meeting(select(m, g.gov_body.c.system_code), period, where)
    meetings = {
        r["id"]: Meeting(
            r["id"],
            r["body_id"],
            r["system_code"],
            r["meeting_date"],
            r["status"],
            bool(r["public_part"]),
            r["notice_on"],
        )
        for r in conn.execute(query).mappings()
    }
    att = _via_meeting(
        select(g.gov_attendance).join(m, m.c.id == g.gov_attendance.c.meeting_id), period, where
    )
    for r in conn.execute(att).mappings():
        meetings[r["meeting_id"]].attendance[r["person_id"]] = r["status"]
    return meetings


def _items(
    conn: Connection, period: Period, where: list[ColumnElement[bool]], meetings: dict[str, Meeting]
) -> dict[str, Item]:
    i, m = g.gov_item, g.gov_meeting
    query = _via_meeting(select(i).join(m, m.c.id == i.c.meeting_id), period, where).order_by(
        i.c.seq
    )
    items: dict[str, Item] = {}
    for r in conn.execute(query).mappings():
        item = Item(r["id"], r["part"], r["presenting_sector"])
        items[item.id] = item
        meetings[r["meeting_id"]].items.append(item)
    c = g.gov_item_contribution
    contrib = _via_meeting(
        select(c).join(i, i.c.id == c.c.item_id).join(m, m.c.id == i.c.meeting_id), period, where
    )
    for r in conn.execute(contrib).mappings():
        items[r["item_id"]].contributions[r["sector"]] = r["kind"]
    return items


def _papers(
    conn: Connection, period: Period, where: list[ColumnElement[bool]], items: dict[str, Item]
) -> None:
    p, i, m = g.gov_paper, g.gov_item, g.gov_meeting
    query = _via_meeting(
        select(p).join(i, i.c.id == p.c.item_id).join(m, m.c.id == i.c.meeting_id), period, where
    )
    for r in conn.execute(query).mappings():
        items[r["item_id"]].papers.append(dict(r))


def _decisions(
    conn: Connection,
    period: Period,
    where: list[ColumnElement[bool]],
    items: dict[str, Item],
    meetings: dict[str, Meeting],
) -> dict[str, Decision]:
    d, i, m = g.gov_decision, g.gov_item, g.gov_meeting
    query = _via_meeting(
        select(d, i.c.meeting_id).join(i, i.c.id == d.c.item_id).join(m, m.c.id == i.c.meeting_id),
        period,
        where,
    )
    decisions: dict[str, Decision] = {}
    for r in conn.execute(query).mappings():
        decision = Decision(r["id"], items[r["item_id"]])
        decisions[decision.id] = decision
        meetings[r["meeting_id"]].decisions.append(decision)
    return decisions


def _decision_details(
    conn: Connection,
    period: Period,
    where: list[ColumnElement[bool]],
    decisions: dict[str, Decision],
) -> None:
    d, i, m = g.gov_decision, g.gov_item, g.gov_meeting
    for table, attr, column in (
        (g.gov_decision_contribution, "contributions", "sector"),
        (g.gov_vote, "votes", "person_id"),
        (g.gov_dissent, "dissents", "person_id"),
    ):
        query = _via_meeting(
            select(table)
            .join(d, d.c.id == table.c.decision_id)
            .join(i, i.c.id == d.c.item_id)
            .join(m, m.c.id == i.c.meeting_id),
            period,
            where,
        )
        for r in conn.execute(query).mappings():
            target = getattr(decisions[r["decision_id"]], attr)
            if isinstance(target, set):
                target.add(r[column])
            else:
                target[r[column]] = r.get("kind") or r.get("vote")


def _members(conn: Connection, where: list[ColumnElement[bool]]) -> dict[str, list[Membership]]:
    mb = g.gov_member
    query = select(mb).join(g.gov_body, g.gov_body.c.id == mb.c.body_id).where(*where)
    found: dict[str, list[Membership]] = defaultdict(list)
    for r in conn.execute(query).mappings():
        found[r["body_id"]].append(
            Membership(
                r["body_id"],
                r["person_id"],
                r["sector"],
                r["role"],
                bool(r["voting"]),
                r["valid_from"],
                r["valid_to"],
            )
        )
    return dict(found)
