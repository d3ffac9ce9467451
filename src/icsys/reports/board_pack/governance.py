"""The governance half of a board pack: the cover, the agenda and the decisions log.

Everything is read through :mod:`icsys.governance.business`, which applies the one visibility
rule: the public pack has public-part items of a meeting with a public part, public papers
published by the pack's date and decisions on public items; the members' pack has everything.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine

from icsys.errors import NotFoundError
from icsys.governance import business
from icsys.reports.board_pack.model import (
    ActionEntry,
    Agenda,
    AgendaEntry,
    Audience,
    Cover,
    DecisionBrief,
    DecisionEntry,
    DecisionsLog,
    LinkedIndicator,
    PaperEntry,
    Reading,
)

LOG_DAYS = 365  # the decisions log covers the year up to the meeting


class IndicatorSource(Protocol):
    """Titles and latest public values of indicators (the mart reader, or a test double)."""

    def describe(self, indicator_id: str) -> tuple[str, str] | None:
        """``(title, unit)``, or ``None`` for an indicator not in the library."""

    def latest(self, indicator_id: str, area_code: str) -> Reading | None:
        """The latest public total of the indicator for the area, if any."""


def find_meeting(
    engine: Engine, body_id: str, meeting_date: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The body's record and its meeting on ``meeting_date``.

    Raises:
        NotFoundError: for an unknown body, or a date the body did not meet on (the message
            lists the dates it met).
    """
    body = business.body_record(engine, body_id)
    if body is None:
        close = difflib.get_close_matches(body_id, business.body_ids(engine), n=5, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"no governance body {body_id!r}{hint}")
    meetings = business.body_meetings(engine, body_id)
    found = [m for m in meetings if m["meeting_date"] == meeting_date]
    if not found:
        dates = ", ".join(m["meeting_date"].isoformat() for m in meetings) or "none recorded"
        raise NotFoundError(
            f"{body['name']} ({body_id}) has no meeting on {meeting_date.isoformat()}; "
            f"its meetings: {dates}"
        )
    return body, found[0]


def cover(
    body: dict[str, Any], meeting: dict[str, Any], system_name: str, audience: Audience, as_of: date
) -> Cover:
    return Cover(
        body_id=body["id"],
        body_name=body["name"],
        body_kind=body["kind"],
        system_code=body["system_code"],
        system_name=system_name,
        meeting_id=meeting["id"],
        meeting_date=meeting["meeting_date"],
        status=meeting["status"],
        public_part=bool(meeting["public_part"]),
        private_part=bool(meeting["private_part"]),
        notice_on=meeting["notice_on"],
        audience=audience,
        as_of=as_of,
    )


def _paper(row: dict[str, Any]) -> PaperEntry:
    return PaperEntry(
        id=row["id"],
        title=row["title"],
        classification=row["classification"],
        published_on=row["published_on"],
        author_org=row["author_org"],
        media_type=row["media_type"],
        size_bytes=int(row["size_bytes"]),
        version=int(row["version"]),
    )


def agenda(engine: Engine, meeting: dict[str, Any], *, private: bool, as_of: date) -> Agenda:
    """The meeting's items in order, each with its papers and decisions."""
    items = business.agenda(engine, meeting["id"], private=private)
    papers: dict[str, list[PaperEntry]] = {}
    for row in business.meeting_papers(engine, meeting["id"], as_of=as_of, private=private):
        papers.setdefault(row["item_id"], []).append(_paper(row))
    decided: dict[str, list[DecisionBrief]] = {}
    day = meeting["meeting_date"]
    for row in business.decisions(engine, meeting["body_id"], start=day, end=day, private=private):
        if row["meeting_id"] == meeting["id"]:
            decided.setdefault(row["item_id"], []).append(
                DecisionBrief(row["id"], row["outcome"], row["resolution"])
            )
    entries = tuple(
        AgendaEntry(
            id=i["id"],
            seq=int(i["seq"]),
            title=i["title"],
            purpose=i["purpose"],
            part=i["part"],
            presenting_org=i["presenting_org"],
            presenting_sector=i["presenting_sector"],
            papers=tuple(papers.get(i["id"], ())),
            decisions=tuple(decided.get(i["id"], ())),
        )
        for i in items
    )
    withheld = business.agenda_size(engine, meeting["id"]) - len(entries)
    return Agenda(entries, withheld)


def decisions_log(
    engine: Engine,
    body: dict[str, Any],
    meeting_date: date,
    *,
    private: bool,
    indicators: IndicatorSource,
) -> DecisionsLog:
    """The body's decisions over the year up to the meeting, with indicators and actions.

    A link that names no area is read for the body's system (as the decisions-to-outcomes
    measure does).
    """
    start = meeting_date - timedelta(days=LOG_DAYS)
    rows = business.decisions(engine, body["id"], start=start, end=meeting_date, private=private)
    ids = [r["id"] for r in rows]
    links = business.decision_indicators(engine, ids)
    actions = business.decision_actions(engine, ids)
    entries = []
    for r in rows:
        linked = []
        for link in links.get(r["id"], []):
            area = link["area_code"] or body["system_code"]
            ident = link["indicator_id"]
            known = indicators.describe(ident)
            linked.append(
                LinkedIndicator(
                    indicator_id=ident,
                    title=known[0] if known else ident,
                    unit=known[1] if known else "",
                    in_library=known is not None,
                    area_code=area,
                    expected_direction=link["expected_direction"],
                    review_on=link["review_on"],
                    latest=indicators.latest(ident, area) if known else None,
                )
            )
        entries.append(
            DecisionEntry(
                id=r["id"],
                meeting_date=r["meeting_date"],
                item_seq=int(r["item_seq"]),
                item_title=r["item_title"],
                part=r["part"],
                outcome=r["outcome"],
                resolution=r["resolution"],
                indicators=tuple(linked),
                actions=tuple(
                    ActionEntry(a["id"], a["description"], a["owner"], a["due_on"], a["status"])
                    for a in actions.get(r["id"], [])
                ),
            )
        )
    return DecisionsLog(start, meeting_date, tuple(entries))
