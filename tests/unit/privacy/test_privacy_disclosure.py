"""Disclosure control: OpenSAFELY worked table, rounding rules, and suppression properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.privacy.complementary import Cell, protect_hierarchy
from icsys.privacy.disclosure import (
    round_count,
    round_half_up,
    round_midpoint6,
    suppress_and_round,
)


def test_opensafely_worked_table():
    heart = suppress_and_round([3, 8, 16, 23])
    assert heart.values == (None, 10, 15, 25)
    assert heart.total == 50
    population = suppress_and_round([18, 23, 31, 44])
    assert population.values == (20, 25, 30, 45)
    assert population.total == 120


def test_threshold_five_and_zero_is_zero():
    result = suppress_and_round([0, 5, 6, 7, 8], threshold=5)
    assert result.values == (0, None, 5, 5, 10)
    assert suppress_and_round([0, 5, 6, 7, 8]).values == (0, None, None, None, 10)


def test_half_up_tie_rule():
    assert round_half_up(15, 10) == 20
    assert round_half_up(25, 10) == 30
    assert round_half_up(14, 10) == 10
    assert [round_half_up(x) for x in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]


@given(st.integers(min_value=0, max_value=10_000))
def test_nearest5_is_the_closest_multiple(count):
    rounded = round_half_up(count)
    assert rounded % 5 == 0
    assert abs(rounded - count) <= 2
    assert rounded == 5 * math.floor(count / 5 + 0.5)


def test_midpoint6_table():
    assert [round_midpoint6(x) for x in (0, 1, 6, 7, 12, 13, 18, 19)] == [0, 3, 3, 9, 9, 15, 15, 21]
    result = suppress_and_round([0, 4, 13, 20], threshold=0, mode="midpoint6")
    assert result.values == (0, 3, 15, 21)
    assert result.total == 39
    assert (result.value_suffix, result.total_suffix) == ("_midpoint6", "_midpoint6_derived")


@given(st.integers(min_value=1, max_value=10_000))
def test_midpoint6_interval_contains_the_truth(count):
    rounded = round_midpoint6(count)
    assert rounded - 2 <= count <= rounded + 3
    assert rounded % 6 == 3


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-negative"):
        suppress_and_round([-1])
    with pytest.raises(ValueError, match="threshold"):
        suppress_and_round([1], threshold=-1)
    with pytest.raises(ValueError, match="mode"):
        suppress_and_round([1], mode="nearest10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        round_count(-3, "none")


# --- hierarchy -------------------------------------------------------------------------------


def _tree(shape, key="r"):
    if isinstance(shape, int):
        return Cell(key, shape)
    children = tuple(_tree(s, f"{key}.{i}") for i, s in enumerate(shape))
    return Cell(key, sum(c.count for c in children), children)


def _families(cell):
    if cell.children:
        yield cell
    for child in cell.children:
        yield from _families(child)


def _all(cell):
    yield cell
    for child in cell.children:
        yield from _all(child)


def _released(protected):
    return {p.key: p.value for p in protected.walk()}


def test_one_suppressed_child_takes_the_next_smallest_sibling():
    root = _tree([3, 40, 12, 25])
    released = _released(protect_hierarchy(root))
    assert released == {"r": 80, "r.0": None, "r.1": 40, "r.2": None, "r.3": 25}


def test_small_combined_suppression_is_widened():
    # 2 + 3 = 5 would be revealed by differencing; a third cell is suppressed.
    released = _released(protect_hierarchy(_tree([2, 3, 30, 50])))
    assert released["r.0"] is None
    assert released["r.1"] is None
    assert released["r.2"] is None
    assert released["r.3"] == 50


def test_suppressed_parent_pulls_in_a_child():
    # Region total 70 = A (5, primary) + B (65). B must go too, and then one of B's children.
    root = _tree([5, [30, 35]])
    protected = protect_hierarchy(root)
    released = _released(protected)
    assert released["r"] == 70
    assert released["r.0"] is None
    assert released["r.1"] is None
    assert released["r.1.0"] is None
    assert released["r.1.1"] == 35
    reasons = {p.key: p.reason for p in protected.walk()}
    assert reasons["r.0"] == "primary"
    assert reasons["r.1"] == "secondary"


def test_suppression_inside_a_child_family_does_not_spread_upwards():
    released = _released(protect_hierarchy(_tree([[3, 10], 50])))
    assert released == {"r": 63, "r.0": 13, "r.0.0": None, "r.0.1": None, "r.1": 50}


def test_zero_siblings_are_skipped_when_a_non_zero_one_exists():
    released = _released(protect_hierarchy(_tree([0, 2, 0, 30, 9])))
    assert released == {"r": 41, "r.0": 0, "r.1": None, "r.2": 0, "r.3": 30, "r.4": None}


def test_rounding_applies_to_published_cells():
    released = _released(protect_hierarchy(_tree([3, 40, 12, 26]), rounding="nearest5"))
    assert released == {"r": 80, "r.0": None, "r.1": 40, "r.2": None, "r.3": 25}


def test_hierarchy_validation():
    with pytest.raises(ValueError, match="sum of its children"):
        protect_hierarchy(Cell("r", 10, (Cell("a", 3), Cell("b", 4))))
    with pytest.raises(ValueError, match="more than once"):
        protect_hierarchy(Cell("r", 7, (Cell("a", 3), Cell("a", 4))))


# Property tests: an independent audit of what an attacker can derive from the release.

shapes = st.recursive(
    st.integers(min_value=0, max_value=40),
    lambda inner: st.lists(inner, min_size=1, max_size=4),
    max_leaves=16,
)


def _determined(root, hidden):
    """Hidden cells whose exact value follows from the parent = Σ children equations."""
    keys = sorted(hidden)
    if not keys:
        return set()
    position = {k: i for i, k in enumerate(keys)}
    rows = []
    for parent in _families(root):
        row = np.zeros(len(keys))
        if parent.key in position:
            row[position[parent.key]] = 1
        for child in parent.children:
            if child.key in position:
                row[position[child.key]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for key, i in position.items():
        unit = np.zeros(len(keys))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(key)
    return found


@settings(max_examples=300, deadline=None)
@given(shape=shapes, threshold=st.sampled_from([5, 7]))
def test_no_published_cell_reveals_a_small_count(shape, threshold):
    root = _tree(shape)
    released = _released(protect_hierarchy(root, threshold=threshold))
    counts = {c.key: c.count for c in _all(root)}
    hidden = {k for k, v in released.items() if v is None}
    # Directly: every published value is the true count and never 1..threshold.
    for key, value in released.items():
        if value is not None:
            assert value == counts[key]
            assert not 1 <= value <= threshold
    for parent in _families(root):
        family = [parent.key, *(c.key for c in parent.children)]
        unknown = [k for k in family if k in hidden]
        # Differencing within one parent/children equation never isolates one cell ...
        assert len(unknown) != 1, (parent.key, unknown)
        # ... and parent minus published children never gives a small combined count.
        if parent.key not in hidden and unknown:
            assert sum(counts[k] for k in unknown) > threshold
        # Within one level: no subset of published siblings plus the parent isolates a cell.
        for r in range(1, len(parent.children)):
            for subset in itertools.combinations(parent.children, r):
                rest = [c for c in parent.children if c not in subset]
                if parent.key not in hidden and all(c.key not in hidden for c in subset):
                    assert sum(1 for c in rest if c.key in hidden) != 1
    # Across all levels at once: no suppressed cell is pinned down by the equations.
    assert _determined(root, hidden) == set()


@given(shape=shapes)
def test_cells_above_the_threshold_are_only_suppressed_with_a_reason(shape):
    protected = protect_hierarchy(_tree(shape))
    for cell in protected.walk():
        assert (cell.value is None) == (cell.reason is not None)
