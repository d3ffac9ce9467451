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
from dataclasses import dataclass, field
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


def _child_kind(child: str) -> str:
    """Children may be keyed ``level:code``; shares are counted within one kind of child."""
    return child.split(":", 1)[0] if ":" in child else ""


_MoveKey = tuple[str, date, str]  # old parent, its end, kind of child


@dataclass
class _Moves:
    moved: dict[_MoveKey, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    left: Counter[_MoveKey] = field(default_factory=Counter)
    arriving: dict[tuple[str, date], set[str]] = field(default_factory=lambda: defaultdict(set))


def _count_moves(spans: Sequence[Span], edges: Sequence[ChildEdge]) -> _Moves:
    """For each code that ended, how many children left it and where each arrived."""
    ends = _ends(spans)
    starts: dict[str, date] = {}
    for code, start, _end in spans:
        starts[code] = min(start, starts.get(code, start))
    by_child: dict[str, list[ChildEdge]] = defaultdict(list)
    for edge in edges:
        by_child[edge[0]].append(edge)
    moves = _Moves()
    for child, child_edges in by_child.items():
        for _child, parent, _start, end in child_edges:
            if end is None or ends.get(parent, date.max) != end:
                continue
            key = (parent, end, _child_kind(child))
            moves.left[key] += 1
            for _c, new_parent, start2, _e in child_edges:
                if start2 == end and new_parent != parent and starts.get(new_parent) == end:
                    moves.moved[key][new_parent] += 1
                    moves.arriving[(new_parent, end)].add(parent)
    return moves


def _by_children(level: str, spans: Sequence[Span], edges: Sequence[ChildEdge]) -> list[Succession]:
    moves = _count_moves(spans, edges)
    best: dict[tuple[str, date], _MoveKey] = {}
    for key, targets in moves.moved.items():  # the kind of child that moved most tells the story
        current = best.get(key[:2])
        if current is None or sum(targets.values()) > sum(moves.moved[current].values()):
            best[key[:2]] = key
    found: list[Succession] = []
    for (old, when), key in best.items():
        targets = moves.moved[key]
        for new, count in sorted(targets.items()):
            if len(targets) > 1:
                kind = "split"
            elif len(moves.arriving[(new, when)]) > 1:
                kind = "merger"
            else:
                kind = "code_change"
            basis = f"{count} of {moves.left[key]} child areas moved to the new code"
            share = round(count / moves.left[key], 4)
            found.append(Succession(level, old, new, when, kind, share, basis))
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
