"""Governance records for one caller.

What the public sees is decided only by :mod:`icsys.governance.visibility`. On top of it:

* a **member** (an account linked to a person in the governance register) also sees the private
  business (agenda items and decisions in a private part) and every paper, confidential or not
  yet published, of the bodies the person is a member of on the date asked;
* an **admin** sees everything;
* an **analyst** sees what the public sees (plus, like anyone linked to a person, the business
  of their own bodies).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, false, func, or_, select

from icsys.config import Settings
from icsys.errors import NotFoundError, PermissionDeniedError
from icsys.governance import papers as paper_store
from icsys.governance import visibility
from icsys.governance.measures import Period, all_measures
from icsys.governance.vocab import Part
from icsys.store import governance_models as g
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.services.access_audit import record_read


@dataclass(frozen=True)
class Viewer:
    """A principal with the bodies whose private business it may see (``None``: all)."""

    principal: Principal
    bodies: frozenset[str] | None
    on: date

    def sees_private(self, body_id: str | None) -> bool:
        return self.bodies is None or (body_id is not None and body_id in self.bodies)


def viewer(engine: Engine, principal: Principal, on: date) -> Viewer:
    if principal.is_admin:
        return Viewer(principal, None, on)
    if not principal.person_id:
        return Viewer(principal, frozenset(), on)
    m = g.gov_member
    query = select(m.c.body_id).where(
        m.c.person_id == principal.person_id,
        m.c.valid_from <= on,
        or_(m.c.valid_to.is_(None), m.c.valid_to >= on),
    )
    with engine.connect() as conn:
        return Viewer(principal, frozenset(b for (b,) in conn.execute(query)), on)


def _rows(engine: Engine, query: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _scope(system: str | None, body: str | None) -> list[ColumnElement[bool]]:
    where = []
    if system is not None:
        where.append(g.gov_body.c.system_code == system)
    if body is not None:
        where.append(g.gov_body.c.id == body)
    return where


def bodies(engine: Engine, *, system: str | None = None) -> list[s.Body]:
    return [s.Body(**r) for r in visibility.public_bodies(engine, system=system)]


def body(engine: Engine, body_id: str) -> s.Body:
    found = _rows(engine, select(g.gov_body).where(g.gov_body.c.id == body_id))
    if not found:
        raise NotFoundError(f"no governance body {body_id!r}")
    return s.Body(**found[0])


def members(
    engine: Engine, *, system: str | None = None, body: str | None = None, on: date | None = None
) -> list[s.Member]:
    """Memberships (a public record), in force on ``on`` when given."""
    m = g.gov_member
    query = (
        select(m, g.gov_person.c.name.label("person_name"))
        .join(g.gov_body, g.gov_body.c.id == m.c.body_id)
        .join(g.gov_person, g.gov_person.c.id == m.c.person_id)
        .where(*_scope(system, body))
        .order_by(m.c.body_id, m.c.sector, m.c.id)
    )
    if on is not None:
        query = query.where(m.c.valid_from <= on, or_(m.c.valid_to.is_(None), m.c.valid_to >= on))
    return [s.Member(**r) for r in _rows(engine, query)]


def meetings(
    engine: Engine, *, system: str | None = None, body: str | None = None
) -> list[s.Meeting]:
    return [s.Meeting(**r) for r in visibility.public_meetings(engine, system=system, body=body)]


def _items_query(v: Viewer) -> Any:
    i, mt = g.gov_item, g.gov_meeting
    query = select(i, mt.c.body_id).join(mt, mt.c.id == i.c.meeting_id)
    if v.bodies is None:
        return query
    private_ok = mt.c.body_id.in_(sorted(v.bodies)) if v.bodies else false()
    return query.where(or_(visibility.ITEM_IS_PUBLIC, private_ok))


def meeting_detail(engine: Engine, v: Viewer, meeting_id: str, *, as_of: date) -> s.MeetingDetail:
    found = _rows(engine, select(g.gov_meeting).where(g.gov_meeting.c.id == meeting_id))
    if not found:
        raise NotFoundError(f"no meeting {meeting_id!r}")
    the_body = body(engine, found[0]["body_id"])
    meeting = s.Meeting(**found[0], system_code=the_body.system_code)
    items = _rows(
        engine,
        _items_query(v).where(g.gov_item.c.meeting_id == meeting_id).order_by(g.gov_item.c.seq),
    )
    shown = {r["id"] for r in items}
    total = _rows(
        engine,
        select(func.count()).select_from(g.gov_item).where(g.gov_item.c.meeting_id == meeting_id),
    )[0]
    withheld = int(next(iter(total.values()))) > len(shown)
    return s.MeetingDetail(
        meeting=meeting,
        body=the_body,
        items=[s.AgendaItem(**{k: r[k] for k in s.AgendaItem.model_fields}) for r in items],
        decisions=decisions(engine, v, meeting=meeting_id),
        papers=papers(engine, v, as_of=as_of, meeting=meeting_id),
        private_business_withheld=withheld,
    )


def decisions(
    engine: Engine,
    v: Viewer,
    *,
    system: str | None = None,
    body: str | None = None,
    meeting: str | None = None,
    outcome: str | None = None,
) -> list[s.Decision]:
    d, i, mt = g.gov_decision, g.gov_item, g.gov_meeting
    query = (
        select(d, i.c.meeting_id, i.c.part, mt.c.body_id, mt.c.meeting_date, mt.c.public_part)
        .join(i, i.c.id == d.c.item_id)
        .join(mt, mt.c.id == i.c.meeting_id)
        .join(g.gov_body, g.gov_body.c.id == mt.c.body_id)
        .where(*_scope(system, body))
        .order_by(mt.c.meeting_date, d.c.id)
    )
    if meeting is not None:
        query = query.where(i.c.meeting_id == meeting)
    if outcome is not None:
        query = query.where(d.c.outcome == outcome)
    if v.bodies is not None:
        private_ok = mt.c.body_id.in_(sorted(v.bodies)) if v.bodies else false()
        query = query.where(
            or_(and_(i.c.part == Part.PUBLIC, mt.c.public_part.is_(True)), private_ok)
        )
    fields = s.Decision.model_fields
    return [s.Decision(**{k: r[k] for k in fields}) for r in _rows(engine, query)]


def _papers_query(v: Viewer, as_of: date) -> Any:
    p = g.gov_paper
    body_id = func.coalesce(g.gov_meeting.c.body_id, p.c.body_id)
    joined = (
        p.outerjoin(g.gov_item, g.gov_item.c.id == p.c.item_id)
        .outerjoin(g.gov_meeting, g.gov_meeting.c.id == g.gov_item.c.meeting_id)
        .outerjoin(g.gov_body, g.gov_body.c.id == body_id)
    )
    query = (
        select(p, g.gov_item.c.meeting_id, body_id.label("owner_body_id"))
        .select_from(joined)
        .order_by(p.c.published_on, p.c.id)
    )
    if v.bodies is None:
        return query
    own = body_id.in_(sorted(v.bodies)) if v.bodies else false()
    return query.where(or_(visibility.paper_is_public(as_of), own))


def _paper(row: dict[str, Any]) -> s.Paper:
    return s.Paper(
        id=row["id"],
        title=row["title"],
        classification=row["classification"],
        published_on=row["published_on"],
        author_org=row["author_org"],
        item_id=row["item_id"],
        body_id=row["owner_body_id"],
        meeting_id=row["meeting_id"],
        version=row["version"],
        filename=row["filename"],
        media_type=row["media_type"],
        size_bytes=row["size_bytes"],
        download_url=f"/api/v1/governance/papers/{row['id']}/content",
    )


def papers(
    engine: Engine,
    v: Viewer,
    *,
    as_of: date,
    system: str | None = None,
    body: str | None = None,
    meeting: str | None = None,
    classification: str | None = None,
) -> list[s.Paper]:
    query = _papers_query(v, as_of).where(*_scope(system, body))
    if meeting is not None:
        query = query.where(g.gov_item.c.meeting_id == meeting)
    if classification is not None:
        query = query.where(g.gov_paper.c.classification == classification)
    return [_paper(r) for r in _rows(engine, query)]


def paper(engine: Engine, v: Viewer, paper_id: str, *, as_of: date) -> s.Paper:
    exists = _rows(engine, select(g.gov_paper.c.id).where(g.gov_paper.c.id == paper_id))
    if not exists:
        raise NotFoundError(f"no paper {paper_id!r}")
    found = _rows(engine, _papers_query(v, as_of).where(g.gov_paper.c.id == paper_id))
    if not found:
        raise PermissionDeniedError(f"paper {paper_id!r} is not public")
    return _paper(found[0])


def paper_content(
    engine: Engine, settings: Settings, v: Viewer, paper_id: str, *, as_of: date
) -> tuple[s.Paper, bytes]:
    meta = paper(engine, v, paper_id, as_of=as_of)  # refuses what the viewer may not see
    if v.bodies is not None and not v.sees_private(meta.body_id):
        _, content = paper_store.read_public_paper(engine, settings, paper_id, as_of)
    else:
        _, content = paper_store.read_paper(engine, settings, paper_id)
        published = meta.published_on is not None and meta.published_on <= as_of
        if meta.classification != "public" or not published:
            detail = {"body_id": meta.body_id, "classification": meta.classification}
            record_read(engine, v.principal, "paper", paper_id, detail)
    return meta, content


def delegations(engine: Engine, *, system: str | None = None) -> list[s.Delegation]:
    query = select(g.gov_delegation).order_by(g.gov_delegation.c.id)
    if system is not None:
        query = query.where(g.gov_delegation.c.system_code == system)
    return [s.Delegation(**r) for r in _rows(engine, query)]


def leadership(engine: Engine, *, system: str | None = None, on: date) -> list[s.Post]:
    """The leadership register: posts, who holds each on ``on``, and every tenure."""
    p, t = g.gov_post, g.gov_tenure
    posts = select(p).order_by(p.c.system_code, p.c.id)
    if system is not None:
        posts = posts.where(p.c.system_code == system)
    tenures = (
        select(t, g.gov_person.c.name.label("person_name"))
        .join(g.gov_person, g.gov_person.c.id == t.c.person_id)
        .join(p, p.c.id == t.c.post_id)
        .order_by(t.c.post_id, t.c.start_on)
    )
    if system is not None:
        tenures = tenures.where(p.c.system_code == system)
    by_post: dict[str, list[s.Tenure]] = {}
    for r in _rows(engine, tenures):
        by_post.setdefault(r["post_id"], []).append(s.Tenure(**r))
    out = []
    for r in _rows(engine, posts):
        held = by_post.get(r["id"], [])
        holder = next(
            (x for x in held if x.start_on <= on and (x.end_on is None or x.end_on >= on)), None
        )
        out.append(s.Post(**r, holder=holder, tenures=held))
    return out


def latest_period(engine: Engine, system: str | None) -> Period | None:
    """The financial year of the latest meeting held (the measures' default period)."""
    query = select(func.max(g.gov_meeting.c.meeting_date)).join(
        g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id
    )
    if system is not None:
        query = query.where(g.gov_body.c.system_code == system)
    with engine.connect() as conn:
        last = conn.execute(query).scalar()
    if last is None:
        return None
    start = last.year - (last.month < 4)
    return Period(date(start, 4, 1), date(start + 1, 3, 31))


def measures(
    engine: Engine,
    *,
    system: str | None,
    period: Period | None = None,
    family: str | None = None,
    by_body: bool = False,
) -> list[s.Measure]:
    """Transparency, partner voice, delegation and leadership measures over ``period``."""
    chosen = period or latest_period(engine, system)
    if chosen is None:
        return []
    rows = all_measures(engine, chosen, system=system, by_body=by_body)
    return [s.Measure(**r.as_dict()) for r in rows if family is None or r.family == family]


def sectors(items: Iterable[s.Member]) -> dict[str, list[s.Member]]:
    out: dict[str, list[s.Member]] = {}
    for member in items:
        out.setdefault(member.sector, []).append(member)
    return dict(sorted(out.items()))
