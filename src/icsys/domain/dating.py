"""Effective dating: intervals, and how dated assertions from successive snapshots become edges.

A reference file is a *snapshot*: it says what was true from its date of validity. Files of
different vintages assert the same relation (say sub-ICB location → ICB) at different dates.
:func:`derive_edges` turns all assertions of one relation into non-overlapping dated edges by
painting snapshots onto a timeline in date order: a later snapshot is the truth from its own
start onward, and a child missing from a later snapshot has ended by then. The result does not
depend on the order in which files were loaded, and loading a file twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Interval:
    """``[valid_from, valid_to)``; an open end (``None``) means still in force."""

    valid_from: date
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = f"interval ends ({self.valid_to}) before it starts ({self.valid_from})"
            raise ValueError(msg)

    def contains(self, as_of: date) -> bool:
        return self.valid_from <= as_of and (self.valid_to is None or as_of < self.valid_to)


def in_force(valid_from: date, valid_to: date | None, as_of: date) -> bool:
    """The one rule for 'as at': in force from ``valid_from`` up to, not including, ``valid_to``."""
    return valid_from <= as_of and (valid_to is None or as_of < valid_to)


@dataclass(frozen=True, slots=True)
class Assertion:
    """One row of one snapshot: ``child`` sits under ``parent`` over a (possibly open) interval."""

    child: str
    parent: str
    valid_from: date
    valid_to: date | None
    snapshot: date
    share: float | None = None


@dataclass(frozen=True, slots=True)
class DatedEdge:
    child: str
    parent: str
    valid_from: date
    valid_to: date | None
    share: float | None = None


@dataclass(slots=True)
class _Segment:
    parent: str
    start: date
    end: date | None
    share: float | None


def _cut(timeline: list[_Segment], at: date) -> list[_Segment]:
    """Keep only what the timeline said before ``at``."""
    kept: list[_Segment] = []
    for seg in timeline:
        if seg.start >= at:
            continue
        ends_later = seg.end is None or seg.end > at
        kept.append(_Segment(seg.parent, seg.start, at, seg.share) if ends_later else seg)
    return kept


def _merge(segments: list[_Segment]) -> Iterator[_Segment]:
    by_parent: dict[tuple[str, float | None], list[_Segment]] = defaultdict(list)
    for seg in segments:
        if seg.end is not None and seg.end <= seg.start:
            continue
        by_parent[(seg.parent, seg.share)].append(seg)
    for group in by_parent.values():
        group.sort(key=lambda s: s.start)
        current = group[0]
        for seg in group[1:]:
            if current.end is None or seg.start <= current.end:
                if current.end is not None and (seg.end is None or seg.end > current.end):
                    current = _Segment(current.parent, current.start, seg.end, current.share)
            else:
                yield current
                current = seg
        yield current


def derive_edges(
    assertions: Iterable[Assertion], snapshot_dates: Iterable[date]
) -> list[DatedEdge]:
    """Paint every snapshot of one relation in date order and return the dated edges.

    ``snapshot_dates`` are the dates of every snapshot of the relation, including those that
    do not mention a given child: a child absent from a later snapshot has ended by its date.
    """
    by_child: dict[str, dict[date, list[Assertion]]] = defaultdict(lambda: defaultdict(list))
    for a in assertions:
        by_child[a.child][a.snapshot].append(a)
    dates = sorted(set(snapshot_dates) | {s for snaps in by_child.values() for s in snaps})
    edges: list[DatedEdge] = []
    for child, snaps in by_child.items():
        timeline: list[_Segment] = []
        for snap in dates:
            stated = snaps.get(snap)
            if not stated:
                if timeline:
                    timeline = _cut(timeline, snap)
                continue
            start = min(a.valid_from for a in stated)
            timeline = _cut(timeline, start)
            timeline.extend(_Segment(a.parent, a.valid_from, a.valid_to, a.share) for a in stated)
        edges.extend(
            DatedEdge(child, seg.parent, seg.start, seg.end, seg.share)
            for seg in sorted(_merge(timeline), key=lambda s: (s.start, s.parent))
        )
    return edges
