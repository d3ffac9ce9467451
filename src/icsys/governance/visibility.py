"""What the public may see: the one place that decides it.

* An agenda item is public when it is in the public part (``part = 'public'``) of a meeting that
  has a public part. Everything in a private part stays private, whatever its own flags say.
* A decision is public when its agenda item is.
* A paper is public when it is classified ``public``, has a publication date on or before the
  date asked, and is either attached to no agenda item (e.g. terms of reference) or to a public
  one. A confidential paper is never public.

Every public listing, the public export and the portal go through the queries here; nothing else
should build its own filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, func, or_, select

from icsys.governance.vocab import Classification, Part
from icsys.store import governance_models as g

ITEM_IS_PUBLIC: ColumnElement[bool] = and_(
    g.gov_item.c.part == Part.PUBLIC, g.gov_meeting.c.public_part.is_(True)
)


def paper_is_public(as_of: date) -> ColumnElement[bool]:
    """Needs ``gov_paper`` outer-joined to ``gov_item`` and ``gov_meeting``."""
    return and_(
        g.gov_paper.c.classification == Classification.PUBLIC,
        g.gov_paper.c.published_on.is_not(None),
        g.gov_paper.c.published_on <= as_of,
        or_(g.gov_paper.c.item_id.is_(None), ITEM_IS_PUBLIC),
    )


def _bodies(system: str | None, body: str | None) -> list[ColumnElement[bool]]:
    where = []
    if system is not None:
        where.append(g.gov_body.c.system_code == system)
    if body is not None:
        where.append(g.gov_body.c.id == body)
    return where


def _run(engine: Engine, query: Select[Any]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def public_bodies(engine: Engine, *, system: str | None = None) -> list[dict[str, Any]]:
    query = select(g.gov_body).where(*_bodies(system, None)).order_by(g.gov_body.c.id)
    return _run(engine, query)


def public_meetings(
    engine: Engine, *, system: str | None = None, body: str | None = None
) -> list[dict[str, Any]]:
    """Every meeting (that a body met is public; what it discussed in private is not)."""
    m = g.gov_meeting
    query = (
        select(m, g.gov_body.c.system_code)
        .join(g.gov_body, g.gov_body.c.id == m.c.body_id)
        .where(*_bodies(system, body))
        .order_by(m.c.meeting_date, m.c.id)
    )
    return _run(engine, query)


def public_items(
    engine: Engine, *, system: str | None = None, body: str | None = None
) -> list[dict[str, Any]]:
    i = g.gov_item
    query = (
        select(i, g.gov_meeting.c.body_id, g.gov_meeting.c.meeting_date)
        .join(g.gov_meeting, g.gov_meeting.c.id == i.c.meeting_id)
        .join(g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id)
        .where(ITEM_IS_PUBLIC, *_bodies(system, body))
        .order_by(g.gov_meeting.c.meeting_date, i.c.meeting_id, i.c.seq)
    )
    return _run(engine, query)


def public_decisions(
    engine: Engine, *, system: str | None = None, body: str | None = None
) -> list[dict[str, Any]]:
    d = g.gov_decision
    query = (
        select(d, g.gov_item.c.meeting_id, g.gov_meeting.c.body_id, g.gov_meeting.c.meeting_date)
        .join(g.gov_item, g.gov_item.c.id == d.c.item_id)
        .join(g.gov_meeting, g.gov_meeting.c.id == g.gov_item.c.meeting_id)
        .join(g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id)
        .where(ITEM_IS_PUBLIC, *_bodies(system, body))
        .order_by(g.gov_meeting.c.meeting_date, d.c.id)
    )
    return _run(engine, query)


def public_papers_query(
    as_of: date, *, system: str | None = None, body: str | None = None
) -> Select[Any]:
    p = g.gov_paper
    joined = (
        p.outerjoin(g.gov_item, g.gov_item.c.id == p.c.item_id)
        .outerjoin(g.gov_meeting, g.gov_meeting.c.id == g.gov_item.c.meeting_id)
        .outerjoin(
            g.gov_body, g.gov_body.c.id == func.coalesce(g.gov_meeting.c.body_id, p.c.body_id)
        )
    )
    return (
        select(p, g.gov_meeting.c.meeting_date, g.gov_body.c.id.label("paper_body_id"))
        .select_from(joined)
        .where(paper_is_public(as_of), *_bodies(system, body))
        .order_by(p.c.published_on, p.c.id)
    )


def public_papers(
    engine: Engine, as_of: date, *, system: str | None = None, body: str | None = None
) -> list[dict[str, Any]]:
    return _run(engine, public_papers_query(as_of, system=system, body=body))


def is_public_paper(engine: Engine, paper_id: str, as_of: date) -> bool:
    query = public_papers_query(as_of).where(g.gov_paper.c.id == paper_id)
    return bool(_run(engine, query))


PUBLIC_LISTINGS: Sequence[str] = ("bodies", "meetings", "items", "decisions", "papers")
