"""Partner voice in a body or a system over a period (definitions in docs/governance.md).

Only held meetings dated in the period count.

* ``attendance_rate`` by sector: attendances (present, or a named deputy) / expected attendances.
  Expected: every member in force on the meeting day, except observers, once per person (their
  sector that day: a person who moved from one sector to another is counted in each in turn).
  A member with no attendance record counts as absent.
* ``item_share`` by sector: agenda items the sector led / agenda items. A sector *leads* an item
  when it presents it or has a ``proposed`` or ``co_produced`` contribution to it (``consulted``
  does not count). ``non_nhs`` is any of local government, VCSE, social care and Healthwatch.
* ``decision_share`` by sector: decisions the sector led / decisions, where a sector leads a
  decision when it leads the decision's agenda item or has a ``proposed`` or ``co_produced``
  contribution to the decision.
* ``dissent_rate``: decisions with at least one recorded dissent or vote against / decisions.
"""

from __future__ import annotations

from collections import Counter

from icsys.domain.levels import Sector
from icsys.governance.measures.common import MeasureValue, ratio
from icsys.governance.measures.data import Decision, Item, Meeting, Membership
from icsys.governance.measures.period import Period
from icsys.governance.vocab import (
    VOICE_SECTORS,
    AttendanceStatus,
    ContributionKind,
    MeetingStatus,
    MemberRole,
    Vote,
)

FAMILY = "partner_voice"
NON_NHS = "non_nhs"
NON_NHS_SECTORS = frozenset(
    {Sector.LOCAL_GOVERNMENT, Sector.VCSE, Sector.SOCIAL_CARE, Sector.HEALTHWATCH}
)
LEADING = frozenset({ContributionKind.PROPOSED, ContributionKind.CO_PRODUCED})
ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY})


def item_leaders(item: Item) -> set[str]:
    leaders = {s for s, kind in item.contributions.items() if kind in LEADING}
    if item.presenting_sector:
        leaders.add(item.presenting_sector)
    return leaders


def decision_leaders(decision: Decision) -> set[str]:
    own = {s for s, kind in decision.contributions.items() if kind in LEADING}
    return own | item_leaders(decision.item)


def expected_members(meeting: Meeting, members: list[Membership]) -> dict[str, str]:
    """Person → sector of everyone expected at the meeting."""
    chosen: dict[str, Membership] = {}
    for mb in members:
        if mb.role == MemberRole.OBSERVER or not mb.in_force(meeting.day):
            continue
        current = chosen.get(mb.person_id)
        if current is None or (mb.voting, mb.valid_from) > (current.voting, current.valid_from):
            chosen[mb.person_id] = mb  # the voting, then the latest, membership that day
    return {person: mb.sector for person, mb in chosen.items()}


def partner_voice(
    meetings: list[Meeting],
    members: dict[str, list[Membership]],
    period: Period,
    *,
    system_code: str,
    body_id: str | None = None,
) -> list[MeasureValue]:
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    expected: Counter[str] = Counter()
    attended: Counter[str] = Counter()
    for meeting in held:
        for person, sector in expected_members(meeting, members.get(meeting.body_id, [])).items():
            expected[sector] += 1
            attended[sector] += meeting.attendance.get(person) in ATTENDED
    items = [i for m in held for i in m.items]
    decisions = [d for m in held for d in m.decisions]
    item_led = Counter(s for i in items for s in _with_non_nhs(item_leaders(i)))
    decision_led = Counter(s for d in decisions for s in _with_non_nhs(decision_leaders(d)))
    dissent = sum(bool(d.dissents) or Vote.AGAINST in d.votes.values() for d in decisions)

    def value(measure: str, breakdown: str | None, num: float, den: float) -> MeasureValue:
        return MeasureValue(
            FAMILY,
            measure,
            system_code,
            body_id,
            breakdown,
            ratio(num, den),
            num,
            den,
            period.start.isoformat(),
            period.end.isoformat(),
        )

    out = [
        value("attendance_rate", "all", sum(attended.values()), sum(expected.values())),
        *(value("attendance_rate", s, attended[s], expected[s]) for s in sorted(expected)),
    ]
    sectors = (*VOICE_SECTORS, NON_NHS)
    out.extend(value("item_share", s, item_led[s], len(items)) for s in sectors)
    out.extend(value("decision_share", s, decision_led[s], len(decisions)) for s in sectors)
    out.append(value("dissent_rate", None, dissent, len(decisions)))
    return out


def _with_non_nhs(sectors: set[str]) -> set[str]:
    return sectors | ({NON_NHS} if sectors & NON_NHS_SECTORS else set())
