"""Systems side by side: structure and headline governance measures (peer groups from the
assessment work will choose the systems; for now the caller does)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from icsys.errors import UserError
from icsys.web import schemas as s
from icsys.web.services import governance as gov
from icsys.web.services.structure import Register, system_facts

MAX_SYSTEMS = 8
# measure name -> (measure, breakdown) of the governance measures shown
HEADLINES: dict[str, tuple[str, str | None]] = {
    "public_meeting_share": ("public_meeting_share", None),
    "papers_on_time_share": ("papers_on_time_share", None),
    "non_nhs_item_share": ("item_share", "non_nhs"),
    "non_nhs_decision_share": ("decision_share", "non_nhs"),
    "stable_12m_share": ("stable_12m_share", None),
    "interim_share": ("interim_share", None),
}


def compare(
    engine: Engine, register: Register, as_of: date, systems: list[str]
) -> list[s.ComparedSystem]:
    snap = register.snapshot(as_of)
    codes = list(dict.fromkeys(snap.resolve_system(x) for x in systems))
    if len(codes) > MAX_SYSTEMS:
        raise UserError(f"compare at most {MAX_SYSTEMS} systems at once")
    out = []
    for code in codes:
        facts = system_facts(register, as_of, code)
        found = {(m.measure, m.breakdown): m.value for m in gov.measures(engine, system=code)
                 if m.body_id is None}  # fmt: skip
        out.append(
            s.ComparedSystem(
                code=code,
                name=facts.name,
                region_name=facts.region_name,
                resident_population=facts.resident_population,
                registered_population=facts.registered_population,
                places=len(facts.places),
                pcns=facts.pcns,
                practices=facts.practices,
                trusts=facts.trusts,
                core20_share=facts.core20_share,
                measures={name: found.get(key) for name, key in HEADLINES.items()},
            )
        )
    return out
