"""What a board pack holds, as typed values: the cover, the agenda, the integrated performance
report (IPR) and the decisions log. Built by :mod:`~icsys.reports.board_pack.service`, drawn by
:mod:`~icsys.reports.board_pack.render`; nothing here reads the store or the mart."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

Audience = Literal["public", "members"]
AUDIENCES: tuple[Audience, ...] = ("public", "members")


@dataclass(frozen=True)
class Cover:
    body_id: str
    body_name: str
    body_kind: str
    system_code: str
    system_name: str
    meeting_id: str
    meeting_date: date
    status: str
    public_part: bool
    private_part: bool
    notice_on: date | None
    audience: Audience
    as_of: date  # papers count as published if published on or before this date


@dataclass(frozen=True)
class PaperEntry:
    id: str
    title: str
    classification: str
    published_on: date | None
    author_org: str | None
    media_type: str
    size_bytes: int
    version: int


@dataclass(frozen=True)
class DecisionBrief:
    id: str
    outcome: str
    resolution: str


@dataclass(frozen=True)
class AgendaEntry:
    id: str
    seq: int
    title: str
    purpose: str
    part: str
    presenting_org: str | None
    presenting_sector: str | None
    papers: tuple[PaperEntry, ...]
    decisions: tuple[DecisionBrief, ...]


@dataclass(frozen=True)
class Agenda:
    items: tuple[AgendaEntry, ...]
    withheld: int  # items of the meeting this pack leaves out (private business)


@dataclass(frozen=True)
class Reading:
    """One value of an indicator with its 95 % limits; ``disclosure`` as in the public view
    (``rounded``, ``suppressed``, ``secondary`` or empty)."""

    label: str
    value: float | None
    lower: float | None
    upper: float | None
    disclosure: str = ""

    @property
    def suppressed(self) -> bool:
        return self.disclosure in {"suppressed", "secondary"}


@dataclass(frozen=True)
class Inequality:
    """Values by deprivation over one period: the area's total, IMD quintiles, Core20 against
    the rest, and the slope index of inequality where the library derives one."""

    period: str
    total: Reading | None
    quintiles: tuple[Reading, ...]
    core20: tuple[Reading, ...]
    sii: Reading | None = None

    @property
    def rows(self) -> tuple[Reading, ...]:
        return (*((self.total,) if self.total else ()), *self.quintiles, *self.core20)

    @property
    def has_suppressed(self) -> bool:
        return any(r.suppressed for r in self.rows)


@dataclass(frozen=True)
class Area:
    level: str  # "system" or "place"
    code: str
    name: str


@dataclass(frozen=True)
class IprEntry:
    indicator_id: str
    area: Area  # the pack's area, or its system where the mart has no values for the place
    title: str
    unit: str
    improvement: str
    period_type: str
    target: float | None
    latest: Reading | None
    points: int
    mean: float | None  # of the chart's latest points (its current process)
    process_lower: float | None
    process_upper: float | None
    chart_svg: str | None  # an SPC chart (icsys.reports.spc_svg), None below two points
    variation_icon: str | None
    assurance_icon: str | None
    rules: str
    inequality: Inequality | None
    note: str = ""


@dataclass(frozen=True)
class Ipr:
    area_code: str
    area_name: str
    area_level: str  # "system" or "place"
    run_id: str | None
    period_end: date | None
    definitions_version: str | None
    entries: tuple[IprEntry, ...]
    note: str = ""  # e.g. why there is no report


@dataclass(frozen=True)
class LinkedIndicator:
    indicator_id: str
    title: str
    unit: str
    in_library: bool
    area_code: str
    expected_direction: str
    review_on: date | None
    latest: Reading | None


@dataclass(frozen=True)
class ActionEntry:
    id: str
    description: str
    owner: str
    due_on: date | None
    status: str


@dataclass(frozen=True)
class DecisionEntry:
    id: str
    meeting_date: date
    item_seq: int
    item_title: str
    part: str
    outcome: str
    resolution: str
    indicators: tuple[LinkedIndicator, ...]
    actions: tuple[ActionEntry, ...]


@dataclass(frozen=True)
class DecisionsLog:
    start: date
    end: date
    entries: tuple[DecisionEntry, ...]


@dataclass(frozen=True)
class BoardPack:
    cover: Cover
    agenda: Agenda
    ipr: Ipr
    decisions: DecisionsLog

    @property
    def audience(self) -> Audience:
        return self.cover.audience

    def fingerprint(self) -> str:
        """A checksum of the whole content: the same content renders the same pack."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()
