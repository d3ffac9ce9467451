"""Effective dating: how snapshots of a relation become dated edges."""

from __future__ import annotations

import random
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icsys.domain.dating import Assertion, DatedEdge, Interval, derive_edges, in_force

D22, D24, D25 = date(2022, 7, 1), date(2024, 4, 1), date(2025, 1, 1)


def snap(
    child: str, parent: str, when: date, start: date | None = None, end: date | None = None
) -> Assertion:
    return Assertion(child, parent, start or when, end, when)


def test_a_later_snapshot_closes_the_earlier_parent():
    edges = derive_edges([snap("L1", "OLD", D22), snap("L1", "NEW", D24)], [D22, D24])
    assert edges == [DatedEdge("L1", "OLD", D22, D24), DatedEdge("L1", "NEW", D24, None)]


def test_the_same_parent_in_successive_snapshots_is_one_open_edge():
    edges = derive_edges([snap("L1", "P", D22), snap("L1", "P", D24)], [D22, D24])
    assert edges == [DatedEdge("L1", "P", D22, None)]


def test_a_child_missing_from_a_later_snapshot_has_ended_by_its_date():
    edges = derive_edges(
        [snap("L1", "P", D22), snap("L2", "P", D22), snap("L2", "P", D24)], [D22, D24]
    )
    assert DatedEdge("L1", "P", D22, D24) in edges
    assert DatedEdge("L2", "P", D22, None) in edges


def test_explicit_history_is_kept_and_a_later_snapshot_paints_over_from_its_own_start():
    epcn = date(2023, 1, 9)
    later = date(2025, 11, 1)
    assertions = [
        snap("A81001", "U1", epcn, date(2019, 10, 1), date(2021, 4, 1)),
        snap("A81001", "U2", epcn, date(2021, 4, 1)),
        snap("A81001", "U3", later),
    ]
    edges = derive_edges(assertions, [epcn, later])
    assert edges == [
        DatedEdge("A81001", "U1", date(2019, 10, 1), date(2021, 4, 1)),
        DatedEdge("A81001", "U2", date(2021, 4, 1), later),
        DatedEdge("A81001", "U3", later, None),
    ]


def test_shares_split_one_child_across_parents():
    edges = derive_edges(
        [
            Assertion("R0A", "E54000008", D22, None, D22, 0.3),
            Assertion("R0A", "E54000057", D22, None, D22, 0.7),
        ],
        [D22],
    )
    assert {(e.parent, e.share) for e in edges} == {("E54000008", 0.3), ("E54000057", 0.7)}


@given(st.permutations([("L1", "A", D22), ("L1", "B", D24), ("L2", "A", D22), ("L3", "C", D24)]))
def test_the_result_does_not_depend_on_the_order_of_loading(order):
    assertions = [snap(c, p, d) for c, p, d in order]
    expected = derive_edges([snap(c, p, d) for c, p, d in sorted(order)], [D22, D24])
    assert sorted(derive_edges(assertions, [D24, D22]), key=repr) == sorted(expected, key=repr)


def test_loading_a_snapshot_twice_changes_nothing():
    once = derive_edges([snap("L1", "A", D22), snap("L1", "B", D24)], [D22, D24])
    twice = derive_edges(
        [snap("L1", "A", D22), snap("L1", "A", D22), snap("L1", "B", D24)], [D22, D24, D22]
    )
    assert once == twice


def test_edges_never_overlap_for_a_single_parent_relation():
    rng = random.Random(7)
    dates = sorted({date(2015 + rng.randrange(10), 1 + rng.randrange(12), 1) for _ in range(8)})
    assertions = [snap("X", rng.choice("ABC"), d) for d in dates]
    edges = sorted(derive_edges(assertions, dates), key=lambda e: e.valid_from)
    for first, second in pairwise(edges):
        assert first.valid_to is not None
        assert first.valid_to <= second.valid_from


def test_as_at_is_inclusive_of_the_start_and_exclusive_of_the_end():
    assert in_force(D22, D24, D22)
    assert not in_force(D22, D24, D24)
    assert in_force(D22, None, D25)
    assert Interval(D22, D24).contains(date(2023, 1, 1))
    with pytest.raises(ValueError, match="ends"):
        Interval(D24, D22)
