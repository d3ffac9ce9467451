"""The compiled work queue of :func:`icsys.privacy.equations.suppress` against the rule written
plainly in Python (the queue as it was before it was compiled), on random equation systems."""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.privacy.equations import equations_from_lists, suppress


def _plain(counts, families, start, threshold, rank):
    """The repair rule, equation by equation, in plain Python."""
    out = list(start)
    added = [False] * len(counts)
    member: dict[int, list[int]] = {}
    for i, (parent, kids) in enumerate(families):
        for c in [*kids, parent]:
            member.setdefault(c, []).append(i)
    queue = deque(i for i, (p, kids) in enumerate(families) if out[p] or any(out[c] for c in kids))
    queued = set(queue)
    while queue:
        i = queue.popleft()
        queued.discard(i)
        parent, kids = families[i]
        hidden = [c for c in kids if out[c]]
        if out[parent]:
            needs_more = not hidden
        else:
            needs_more = bool(hidden) and (
                len(hidden) == 1 or sum(counts[c] for c in hidden) <= threshold
            )
        if not needs_more:
            continue
        shown = [c for c in kids if not out[c]]
        if shown:
            extra = min(shown, key=lambda c: (counts[c] == 0, counts[c], rank[c]))
        elif not out[parent]:
            extra = parent
        else:
            continue
        out[extra] = added[extra] = True
        for j in [i, *sorted(member[extra])]:
            if j not in queued:
                queue.append(j)
                queued.add(j)
    return added


@st.composite
def _systems(draw):
    cells = draw(st.integers(3, 40))
    counts = draw(st.lists(st.integers(0, 30), min_size=cells, max_size=cells))
    families = []
    for _ in range(draw(st.integers(1, 15))):
        parent = draw(st.integers(0, cells - 1))
        others = [c for c in range(cells) if c != parent]
        kids = draw(st.lists(st.sampled_from(others), min_size=1, max_size=6, unique=True))
        families.append((parent, kids))
    start = draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    return counts, families, start


@settings(max_examples=300, deadline=None)
@given(system=_systems(), threshold=st.integers(1, 10), seed=st.integers(0, 2**16))
def test_compiled_queue_suppresses_exactly_what_the_plain_rule_does(system, threshold, seed):
    counts, families, start = system
    rank = np.random.default_rng(seed).permutation(len(counts))
    expected = _plain(counts, families, start, threshold, rank.tolist())
    got = suppress(
        np.array(counts, dtype=np.int64),
        equations_from_lists(families),
        np.array(start, dtype=bool),
        threshold,
        rank.astype(np.int64),
    )
    assert got.tolist() == expected


def test_a_lone_suppressed_child_gets_a_sibling():
    counts = np.array([20, 3, 9, 8], dtype=np.int64)  # parent 0 = 3 + 9 + 8
    eqs = equations_from_lists([(0, [1, 2, 3])])
    start = np.array([False, True, False, False])
    added = suppress(counts, eqs, start, 7, np.arange(4, dtype=np.int64))
    assert added.tolist() == [False, False, False, True]  # the smaller of 9 and 8


@settings(max_examples=300, deadline=None)
@given(system=_systems(), threshold=st.integers(1, 10), seed=st.integers(0, 2**16))
def test_an_absent_child_is_as_if_it_were_left_out_of_its_equation(system, threshold, seed):
    """What the public view relies on to share one equation system between indicators: an
    empty remainder, started suppressed and marked absent, changes nothing."""
    counts, families, start = system
    rng = np.random.default_rng(seed)
    rank = rng.permutation(len(counts) + len(families))
    cells = len(counts)
    # every equation gets one extra child of its own, suppressed from the start; some are absent
    absent = rng.random(len(families)) < 0.5
    extended = [(p, [*kids, cells + i]) for i, (p, kids) in enumerate(families)]
    kept = [
        (p, [*kids, cells + i]) if not gone else (p, kids)
        for i, ((p, kids), gone) in enumerate(zip(families, absent, strict=True))
    ]
    all_counts = np.array([*counts, *rng.integers(1, 12, len(families))], dtype=np.int64)
    all_start = np.array([*start, *[True] * len(families)], dtype=bool)
    expected = suppress(all_counts, equations_from_lists(kept), all_start, threshold, rank)
    got = suppress(
        all_counts,
        equations_from_lists(extended),
        all_start,
        threshold,
        rank,
        absent=np.array([False] * cells + absent.tolist(), dtype=bool),
    )
    assert got.tolist() == expected.tolist()
