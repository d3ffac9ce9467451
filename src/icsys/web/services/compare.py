"""Systems side by side: structure, headline governance measures and the latest recorded
maturity stage and oversight segment. With one system chosen (or ``peers_of``), the system is
compared with its peer group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from icsys.assessment.records import RecordedResult, recorded_results
from icsys.errors import UserError
from icsys.web import schemas as s
from icsys.web.services import governance as gov
from icsys.web.services.assessment import AssessmentData, peer_group
from icsys.web.services.structure import Register, system_facts

MAX_SYSTEMS = 8
PEERS = 5  # the peer group's usual size (icsys assess peers)
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


@dataclass(frozen=True)
class Choice:
    """The systems to compare, and the peer group when it chose them."""

    systems: list[str]
    peers: s.PeerGroup | None = None


def choose(
    data: AssessmentData,
    register: Register,
    as_of: date,
    systems: list[str] | None,
    peers_of: str | None = None,
) -> Choice:
    """``peers_of``, or a single chosen system: that system and its five nearest peers;
    otherwise the systems chosen."""
    single = systems is not None and len(set(systems)) == 1
    anchor = peers_of or (systems[0] if single and systems else None)
    if anchor is None:
        return Choice(list(systems or []))
    group = peer_group(data, register, anchor, as_of, PEERS)
    return Choice([group.system_code, *(p.code for p in group.peers)], group)


def latest_assessments(engine: Engine, codes: list[str], as_of: date) -> dict[str, RecordedResult]:
    """The latest recorded assessment of each system on or before ``as_of``."""
    out: dict[str, RecordedResult] = {}
    for r in recorded_results(engine, systems=codes, until=as_of):
        out.setdefault(r.system_code, r)  # newest first
    return out
