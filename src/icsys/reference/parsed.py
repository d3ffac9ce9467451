"""What one reference file says, before it is written to the store.

Every data row of a file ends up in exactly one of three places: loaded, quarantined (with the
file, line, column, value and reason), or out of scope (for example a Welsh LSOA in an
England-and-Wales lookup, or a prescribing cost centre that is not a GP practice), counted by
reason. ``rows_read == rows_loaded + rows_quarantined + rows_out_of_scope`` always holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from icsys.domain.levels import Relation

AssertionRow = tuple[str, str, str, str, str, date, date | None, float | None]
SnapshotKey = tuple[str, str, str]  # relation, child_level, parent_level
AreaRow = tuple[str, str, str | None, str | None, date]
OrgRow = tuple[
    str, str | None, str, str | None, str, str | None, date | None, date | None, str | None, date
]
AttributeRow = tuple[str, str, str, date, float | None, str | None]
DeprivationRow = tuple[str, str, str, float | None, int | None, int | None, str]
PopulationRow = tuple[str, str, int, str, int, str]
SuccessionRow = tuple[str, str, str, date, str, float | None, str]


@dataclass(frozen=True, slots=True)
class Quarantined:
    file: str
    line: int
    column: str
    value: str
    reason: str


@dataclass
class Parsed:
    """The content of one table of one file, ready to be written in one transaction."""

    kind: str
    label: str
    path: Path
    sha256: str
    rows_read: int = 0
    rows_out_of_scope: int = 0
    quarantine: list[Quarantined] = field(default_factory=list)
    quarantined_lines: set[int] = field(default_factory=set)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    assertions: set[AssertionRow] = field(default_factory=set)
    snapshots: dict[SnapshotKey, date] = field(default_factory=dict)
    areas: set[AreaRow] = field(default_factory=set)
    orgs: list[OrgRow] = field(default_factory=list)
    attributes: list[AttributeRow] = field(default_factory=list)
    deprivation: list[DeprivationRow] = field(default_factory=list)
    population: list[PopulationRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    valid_from_override: date | None = None

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantined_lines)

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_quarantined - self.rows_out_of_scope

    @property
    def snapshot_date(self) -> date:
        dates = [*self.snapshots.values(), *(a[4] for a in self.areas), *(o[9] for o in self.orgs)]
        dates += [a[3] for a in self.attributes]
        dates += [s[3] for s in self.successions]
        return max(dates) if dates else date.today()  # noqa: DTZ011 - a calendar date

    def reject(self, line: int, column: str, value: str, reason: str) -> None:
        self.quarantine.append(Quarantined(self.label, line, column, value, reason))
        self.quarantined_lines.add(line)

    def skip(self, reason: str) -> None:
        self.rows_out_of_scope += 1
        self.out_of_scope[reason] += 1

    def dated(self, when: date) -> date:
        return self.valid_from_override or when

    def link(
        self,
        relation: Relation,
        child_level: str,
        child: str,
        parent_level: str,
        parent: str,
        valid_from: date,
        valid_to: date | None = None,
        *,
        share: float | None = None,
        snapshot: date | None = None,
    ) -> None:
        """Assert that ``child`` sits under ``parent`` over an interval, as of a snapshot."""
        valid_from = self.dated(valid_from)
        key = (relation.value, child_level, parent_level)
        snap = self.dated(snapshot) if snapshot else valid_from
        self.snapshots[key] = max(self.snapshots.get(key, snap), snap)
        self.assertions.add(
            (relation.value, child_level, child, parent_level, parent, valid_from, valid_to, share)
        )

    def exists(
        self,
        level: str,
        code: str,
        valid_from: date,
        valid_to: date | None = None,
        *,
        name: str | None = None,
        ods: str | None = None,
        snapshot: date | None = None,
    ) -> None:
        """Assert that ``code`` is in force over an interval, and record its name."""
        self.link(Relation.EXISTS, level, code, "", "", valid_from, valid_to, snapshot=snapshot)
        snap = self.dated(snapshot) if snapshot else self.dated(valid_from)
        self.areas.add((level, code, name or None, ods or None, snap))
