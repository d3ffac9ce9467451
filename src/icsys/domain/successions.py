"""Code successions: a code that ends and is replaced, found from the dated edges.

Two kinds of evidence, both recorded with the basis in words:
- the same ODS code under a new GSS code (Surrey Heartlands QXU: E54000052 → E54000063);
- the children of an ended code found under a code that starts on the same day (LADs merging:
  the LSOAs of four Buckinghamshire districts move to E06000060), with the share moved.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

Span = tuple[str, date, date | None]  # code, valid_from, valid_to
ChildEdge = tuple[str, str, date, date | None]  # child, parent, valid_from, valid_to


@dataclass(frozen=True, slots=True)
class Succession:
    level: str
    old_code: str
    new_code: str
    effective: date
    kind: str  # code_change | merger | split
    share: float | None
    basis: str


def _ends(spans: Sequence[Span]) -> dict[str, date | None]:
    """The last end of each code (None while still in force)."""
    return {code: end for code, _start, end in sorted(spans, key=lambda s: s[1])}


def _by_ods(
    level: str, spans: Sequence[Span], ods: Mapping[tuple[str, str], str | None]
) -> list[Succession]:
    found: list[Succession] = []
    groups: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        code_ods = ods.get((level, span[0]))
        if code_ods:
            groups[code_ods].append(span)
    for code_ods, group in groups.items():
        ordered = sorted(group, key=lambda s: s[1])
        for (old, _s1, end), (new, start, _e2) in itertools.pairwise(ordered):
            if old != new and end is not None and end == start:
                basis = f"same ODS code {code_ods} under a new GSS code"
                found.append(Succession(level, old, new, start, "code_change", 1.0, basis))
    return found


def _by_children(level: str, spans: Sequence[Span], edges: Sequence[ChildEdge]) -> list[Succession]:
    ends = _ends(spans)
    starts: dict[str, date] = {}
    for code, start, _end in spans:
        starts[code] = min(start, starts.get(code, start))
    moved: dict[tuple[str, date], Counter[str]] = defaultdict(Counter)
    left: dict[tuple[str, date], int] = Counter()
    arriving: dict[tuple[str, date], set[str]] = defaultdict(set)
    by_child: dict[str, list[ChildEdge]] = defaultdict(list)
    for edge in edges:
        by_child[edge[0]].append(edge)
    for child_edges in by_child.values():
        for child, parent, _start, end in child_edges:
            if end is None or ends.get(parent, date.max) != end:
                continue
            left[(parent, end)] += 1
            for _c, new_parent, start2, _e in child_edges:
                if start2 == end and new_parent != parent and starts.get(new_parent) == end:
                    moved[(parent, end)][new_parent] += 1
                    arriving[(new_parent, end)].add(parent)
            del child  # only the parents matter here
    found: list[Succession] = []
    for (old, when), targets in moved.items():
        for new, count in sorted(targets.items()):
            kind = (
                "split"
                if len(targets) > 1
                else "merger"
                if len(arriving[(new, when)]) > 1
                else "code_change"
            )
            share = count / left[(old, when)]
            basis = f"{count} of {left[(old, when)]} child areas moved to the new code"
            found.append(Succession(level, old, new, when, kind, round(share, 4), basis))
    return found


def detect_successions(
    exists: Mapping[str, Sequence[Span]],
    ods: Mapping[tuple[str, str], str | None],
    children: Mapping[str, Sequence[ChildEdge]],
) -> list[Succession]:
    """Successions at every level, from EXISTS spans, ODS codes and parent edges by level."""
    found: list[Succession] = []
    for level, spans in exists.items():
        found.extend(_by_ods(level, spans, ods))
    seen = {(s.level, s.old_code, s.new_code) for s in found}
    for level, edges in children.items():
        found.extend(
            s
            for s in _by_children(level, exists.get(level, ()), edges)
            if (s.level, s.old_code, s.new_code) not in seen
        )
    return sorted(found, key=lambda s: (s.effective, s.level, s.old_code, s.new_code))
