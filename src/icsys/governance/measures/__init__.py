"""Derived governance measures: transparency, partner voice, delegation, leadership stability,
and decisions to outcomes. Exact definitions are in each module and in docs/governance.md."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from icsys.governance.measures.common import ALL_SYSTEMS, MeasureValue
from icsys.governance.measures.data import load
from icsys.governance.measures.delegation import delegation
from icsys.governance.measures.leadership import leadership
from icsys.governance.measures.outcomes import (
    ChartFunction,
    DecisionOutcome,
    SeriesProvider,
    decision_outcomes,
)
from icsys.governance.measures.period import Period, months_before
from icsys.governance.measures.transparency import transparency
from icsys.governance.measures.voice import partner_voice
from icsys.store import governance_models as g

__all__ = [
    "ALL_SYSTEMS",
    "ChartFunction",
    "DecisionOutcome",
    "MeasureValue",
    "Period",
    "SeriesProvider",
    "all_measures",
    "decision_outcomes",
    "delegation",
    "governance_systems",
    "leadership",
    "meeting_measures",
    "months_before",
]


def governance_systems(engine: Engine) -> list[str]:
    """Systems with any governance record (bodies, posts, delegations or allocations)."""
    query = select(g.gov_body.c.system_code).union(
        select(g.gov_post.c.system_code),
        select(g.gov_delegation.c.system_code),
        select(g.gov_allocation.c.system_code),
    )
    with engine.connect() as conn:
        return sorted(s for (s,) in conn.execute(query))


def meeting_measures(
    engine: Engine, period: Period, *, system: str | None = None, by_body: bool = False
) -> list[MeasureValue]:
    """Transparency and partner voice per system (and per body when ``by_body``)."""
    out: list[MeasureValue] = []
    for code in [system] if system is not None else governance_systems(engine):
        record = load(engine, period, system=code)
        out += transparency(record.meetings, period, system_code=code)
        out += partner_voice(record.meetings, record.members, period, system_code=code)
        if by_body:
            for body_id in sorted({m.body_id for m in record.meetings} | set(record.members)):
                meetings = [m for m in record.meetings if m.body_id == body_id]
                out += transparency(meetings, period, system_code=code, body_id=body_id)
                out += partner_voice(
                    meetings, record.members, period, system_code=code, body_id=body_id
                )
    return out


def all_measures(
    engine: Engine,
    period: Period,
    *,
    system: str | None = None,
    as_of: date | None = None,
    by_body: bool = False,
) -> list[MeasureValue]:
    """Every measure over ``period``: leadership as at ``as_of`` (default the period's end)."""
    return [
        *meeting_measures(engine, period, system=system, by_body=by_body),
        *delegation(engine, period, system=system),
        *leadership(engine, as_of or period.end, system=system),
    ]
