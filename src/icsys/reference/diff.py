"""What changed in the structure between two dates: new, closed and succeeded codes, and
children that moved to another parent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select

from icsys.domain.levels import Level
from icsys.reference.register import Snapshot
from icsys.store import models as m

DIFF_LEVELS = (
    Level.NHS_REGION,
    Level.SYSTEM,
    Level.SUB_ICB,
    Level.LAD,
    Level.PCN,
    Level.PRACTICE,
    Level.TRUST,
)
_MOVES = (
    (Level.SUB_ICB, "system_of_sub_icb"),
    (Level.PRACTICE, "sub_icb_of_practice"),
    (Level.PCN, "sub_icb_of_pcn"),
)


@dataclass(frozen=True)
class SuccessionRow:
    level: str
    old_code: str
    old_name: str | None
    new_code: str
    new_name: str | None
    effective: date
    kind: str
    share: float | None
    basis: str


@dataclass(frozen=True)
class LevelChange:
    level: str
    new: list[str]
    closed: list[str]


@dataclass(frozen=True)
class StructureDiff:
    date_from: date
    date_to: date
    successions: list[SuccessionRow] = field(default_factory=list)
    levels: list[LevelChange] = field(default_factory=list)
    moved: dict[str, Counter[str]] = field(default_factory=dict)  # level → "old → new" counts


def diff(engine: Engine, date_from: date, date_to: date) -> StructureDiff:
    before, after = Snapshot(engine, date_from), Snapshot(engine, date_to)
    low, high = sorted((date_from, date_to))
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.succession)
            .where(m.succession.c.effective > low, m.succession.c.effective <= high)
            .order_by(m.succession.c.effective, m.succession.c.level, m.succession.c.old_code)
        ).mappings()
        successions = [
            SuccessionRow(
                r["level"],
                r["old_code"],
                before.name(r["level"], r["old_code"]),
                r["new_code"],
                after.name(r["level"], r["new_code"]),
                r["effective"],
                r["kind"],
                r["share"],
                r["basis"],
            )
            for r in rows
        ]
    levels = []
    for level in DIFF_LEVELS:
        old, new = set(before.codes(level)), set(after.codes(level))
        levels.append(LevelChange(level.value, sorted(new - old), sorted(old - new)))
    succeeded = {(s.old_code, s.new_code) for s in successions}
    moved: dict[str, Counter[str]] = {}
    for level, attribute in _MOVES:
        was, now = getattr(before, attribute), getattr(after, attribute)
        counts: Counter[str] = Counter(
            f"{was[c]} → {now[c]}"
            for c in set(was) & set(now)
            if was[c] != now[c] and (was[c], now[c]) not in succeeded
        )
        if counts:
            moved[level.value] = counts
    return StructureDiff(date_from, date_to, successions, levels, moved)
