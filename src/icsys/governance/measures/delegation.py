"""Delegation by the ICB, per system and financial year (definitions in docs/governance.md).

For each financial year the period touches:

* ``delegated_to_place_share``: budgets (£) of the year on delegations *from the ICB* to a place
  (``recipient_type = place``) / the ICB's allocation for the year;
* ``delegated_to_provider_collaborative_share``: the same for ``provider_collaborative`` and
  ``lead_provider`` recipients.

A delegation is from the ICB when it comes from an ICB board or ICB committee (``from_kind =
body``), or from the organisation whose code is the system's GSS or ODS code. Onward delegation
(place to a provider, say) is not counted again. With no allocation recorded for a year the value
is empty and the numerator is still given.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select

from icsys.domain.levels import Level
from icsys.governance.measures.common import MeasureValue, ratio
from icsys.governance.measures.period import Period
from icsys.governance.schema import fy_label
from icsys.governance.vocab import ICB_BODY_KINDS, PartyKind, RecipientType
from icsys.store import governance_models as g
from icsys.store import models as m

FAMILY = "delegation"
GROUPS: dict[str, frozenset[str]] = {
    "delegated_to_place_share": frozenset({RecipientType.PLACE}),
    "delegated_to_provider_collaborative_share": frozenset(
        {RecipientType.PROVIDER_COLLABORATIVE, RecipientType.LEAD_PROVIDER}
    ),
}


def delegation(engine: Engine, period: Period, *, system: str | None = None) -> list[MeasureValue]:
    """Per system (every system with governance records, or the one asked) and year."""
    years = period.financial_years()
    d, b = g.gov_delegation, g.gov_delegation_budget
    with engine.connect() as conn:
        icb_bodies = {
            i
            for (i,) in conn.execute(
                select(g.gov_body.c.id).where(g.gov_body.c.kind.in_(ICB_BODY_KINDS))
            )
        }
        area_ods = select(m.area.c.code, m.area.c.ods_code).where(m.area.c.level == Level.SYSTEM)
        ods: dict[str, str | None] = {r[0]: r[1] for r in conn.execute(area_ods)}
        query = (
            select(
                d.c.system_code,
                d.c.from_kind,
                d.c.from_code,
                d.c.recipient_type,
                b.c.financial_year,
                b.c.amount_gbp,
            )
            .join(b, b.c.delegation_id == d.c.id)
            .where(b.c.financial_year.in_(years))
        )
        alloc_q = select(g.gov_allocation).where(g.gov_allocation.c.financial_year.in_(years))
        systems_q = select(g.gov_body.c.system_code).union(
            select(d.c.system_code), select(g.gov_allocation.c.system_code)
        )
        if system is not None:
            query = query.where(d.c.system_code == system)
            alloc_q = alloc_q.where(g.gov_allocation.c.system_code == system)
        budgets = [tuple(r) for r in conn.execute(query)]
        allocations = {
            (r.system_code, r.financial_year): r.amount_gbp for r in conn.execute(alloc_q)
        }
        systems = [system] if system is not None else sorted(s for (s,) in conn.execute(systems_q))
    delegated: dict[tuple[str, int, str], float] = defaultdict(float)
    for sys_code, from_kind, from_code, recipient, year, amount in budgets:
        from_icb = (from_kind == PartyKind.BODY and from_code in icb_bodies) or (
            from_kind == PartyKind.ORGANISATION and from_code in {sys_code, ods.get(sys_code)}
        )
        if not from_icb:
            continue
        for measure, recipients in GROUPS.items():
            if recipient in recipients:
                delegated[(sys_code, year, measure)] += amount
    out = []
    for sys_code in systems:
        for year in years:
            allocation = allocations.get((sys_code, year))
            for measure in GROUPS:
                amount = delegated[(sys_code, year, measure)]
                out.append(
                    MeasureValue(
                        FAMILY,
                        measure,
                        sys_code,
                        None,
                        fy_label(year),
                        ratio(amount, allocation) if allocation is not None else None,
                        amount,
                        allocation,
                        period.start.isoformat(),
                        period.end.isoformat(),
                    )
                )
    return out
