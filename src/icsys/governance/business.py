"""A body's business, read for one audience: its meetings, a meeting's agenda and papers, and
its decisions with their indicator links and actions (what a board pack is made of).

``private=False`` reads only what :mod:`icsys.governance.visibility` makes public (public-part
items of meetings with a public part, public papers published by the date asked, decisions on
public items). ``private=True`` reads everything of the body, for its members: the caller decides
who may ask for that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, func, select, true

from icsys.governance import visibility
from icsys.store import governance_models as g


def _run(engine: Engine, query: Select[Any]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _item_filter(private: bool) -> ColumnElement[bool]:
    return true() if private else visibility.ITEM_IS_PUBLIC


def body_record(engine: Engine, body_id: str) -> dict[str, Any] | None:
    """The body's record, or ``None``."""
    found = _run(engine, select(g.gov_body).where(g.gov_body.c.id == body_id))
    return found[0] if found else None


def body_ids(engine: Engine) -> list[str]:
    """Every body's id."""
    with engine.connect() as conn:
        return [str(b) for (b,) in conn.execute(select(g.gov_body.c.id).order_by(g.gov_body.c.id))]


def body_meetings(engine: Engine, body_id: str) -> list[dict[str, Any]]:
    """Every meeting of the body, by date (that a body met is public)."""
    m = g.gov_meeting
    return _run(engine, select(m).where(m.c.body_id == body_id).order_by(m.c.meeting_date, m.c.id))


def agenda(engine: Engine, meeting_id: str, *, private: bool) -> list[dict[str, Any]]:
    """The meeting's agenda items in order (``seq``)."""
    i, m = g.gov_item, g.gov_meeting
    query = (
        select(i)
        .join(m, m.c.id == i.c.meeting_id)
        .where(i.c.meeting_id == meeting_id, _item_filter(private))
        .order_by(i.c.seq, i.c.id)
    )
    return _run(engine, query)


def agenda_size(engine: Engine, meeting_id: str) -> int:
    """How many items the meeting has, whatever their part."""
    query = select(func.count()).where(g.gov_item.c.meeting_id == meeting_id)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def meeting_papers(
    engine: Engine, meeting_id: str, *, as_of: date, private: bool
) -> list[dict[str, Any]]:
    """Papers attached to the meeting's items: public ones only unless ``private``."""
    p, i, m = g.gov_paper, g.gov_item, g.gov_meeting
    query = (
        select(p)
        .join(i, i.c.id == p.c.item_id)
        .join(m, m.c.id == i.c.meeting_id)
        .where(i.c.meeting_id == meeting_id)
        .order_by(p.c.item_id, p.c.title, p.c.id)
    )
    if not private:
        query = query.where(visibility.paper_is_public(as_of))
    return _run(engine, query)


def decisions(
    engine: Engine, body_id: str, *, start: date, end: date, private: bool
) -> list[dict[str, Any]]:
    """The body's decisions at meetings from ``start`` to ``end``, by date, with the item."""
    d, i, m = g.gov_decision, g.gov_item, g.gov_meeting
    query = (
        select(
            d,
            i.c.title.label("item_title"),
            i.c.seq.label("item_seq"),
            i.c.part,
            m.c.id.label("meeting_id"),
            m.c.meeting_date,
        )
        .join(i, i.c.id == d.c.item_id)
        .join(m, m.c.id == i.c.meeting_id)
        .where(
            m.c.body_id == body_id,
            and_(m.c.meeting_date >= start, m.c.meeting_date <= end),
            _item_filter(private),
        )
        .order_by(m.c.meeting_date, i.c.seq, d.c.id)
    )
    return _run(engine, query)


def _by_decision(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(str(row["decision_id"]), []).append(row)
    return out


def decision_indicators(
    engine: Engine, decision_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """The indicator links of each decision (by decision id)."""
    t = g.gov_decision_indicator
    query = select(t).where(t.c.decision_id.in_(sorted(decision_ids))).order_by(t.c.indicator_id)
    return _by_decision(_run(engine, query))


def decision_actions(
    engine: Engine, decision_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """The actions of each decision (by decision id)."""
    t = g.gov_action
    query = select(t).where(t.c.decision_id.in_(sorted(decision_ids))).order_by(t.c.id)
    return _by_decision(_run(engine, query))
