"""Oversight segmentation: metric scores 1-4, averaged, segmented, adjusted for finance, with
our assumptions named."""

from __future__ import annotations

import pytest

from icsys.assessment.oversight import (
    DEFAULT_SYSTEM_CONFIG,
    FinancialAdjustment,
    MetricRule,
    OversightConfig,
    score_metric,
    segment,
)

UP = MetricRule(name="m.up", direction="increase")
DOWN = MetricRule(name="m.down", direction="decrease")


def test_rank_scores_run_from_1_to_4_within_the_peer_group():
    assert score_metric({"a": 10, "b": 20, "c": 30, "d": 40}, UP) == {
        "a": 4.0,
        "b": 3.0,
        "c": 2.0,
        "d": 1.0,
    }
    assert score_metric({"a": 10, "b": 20, "c": 30, "d": 40}, DOWN) == {
        "a": 1.0,
        "b": 2.0,
        "c": 3.0,
        "d": 4.0,
    }
    assert score_metric({"a": 5, "b": 5, "c": 1}, UP) == {"a": 1.0, "b": 1.0, "c": 4.0}
    assert score_metric({"a": 5}, UP) == {"a": 1.0}


def test_threshold_scores():
    rule = MetricRule(name="m", direction="increase", scoring="thresholds", cuts=(0.95, 0.9, 0.8))
    assert score_metric({"a": 0.96, "b": 0.9, "c": 0.85, "d": 0.5}, rule) == {
        "a": 1.0,
        "b": 2.0,
        "c": 3.0,
        "d": 4.0,
    }
    with pytest.raises(ValueError, match="best to worst"):
        MetricRule(name="m", direction="increase", scoring="thresholds", cuts=(0.8, 0.9, 0.95))


def config(**kw):
    return OversightConfig(
        metrics=(UP, DOWN, MetricRule(name="m.ph", direction="increase", counts=False)),
        min_metrics=2,
        **kw,
    )


VALUES = {
    "a": {"m.up": 40, "m.down": 1, "m.ph": 1, "deficit": 0.02},
    "b": {"m.up": 30, "m.down": 2, "m.ph": 2, "deficit": 0.0},
    "c": {"m.up": 20, "m.down": 3, "m.ph": 3, "deficit": 0.0},
    "d": {"m.up": 10, "m.down": 4, "m.ph": 4, "deficit": 0.0},
    "e": {"m.up": 50, "m.down": None, "m.ph": 5, "deficit": 0.0},  # one counted metric only
}


def test_quartile_segments_and_league_ranks():
    result = segment(VALUES, {}, config())
    rows = {r.org: r for r in result.rows}
    # a: up rank 2 of 5 (1.75), down rank 1 of 4 (1.0) -> 1.375; population health not counted
    assert rows["a"].metric_scores == {"m.up": 1.75, "m.down": 1.0, "m.ph": 4.0}
    assert rows["a"].score == pytest.approx(1.375)
    assert [rows[o].segment for o in "abcd"] == [1, 2, 3, 4]
    assert rows["e"].score is None
    assert rows["e"].segment is None
    assert [rows[o].league_rank for o in "abcd"] == [1, 2, 3, 4]


def test_threshold_segments_and_the_financial_adjustment():
    cfg = config(
        segmentation="thresholds",
        segment_cuts=(1.5, 2.5, 3.5),
        finance=FinancialAdjustment(measure="deficit", threshold=0.01, min_segment=3),
    )
    rows = {r.org: r for r in segment(VALUES, {}, cfg).rows}
    assert rows["a"].segment_before_finance == 1
    assert rows["a"].segment == 3
    assert rows["a"].finance_note == "deficit 0.02 > 0.01: segment 1 → 3"
    assert rows["b"].segment == 2  # (2.5 + 2) / 2 = 2.25


def test_peer_groups_segment_separately():
    groups = {"a": "g1", "b": "g1", "c": "g2", "d": "g2"}
    rows = {r.org: r for r in segment({o: VALUES[o] for o in "abcd"}, groups, config()).rows}
    assert rows["a"].segment == 1
    assert rows["c"].segment == 1
    assert rows["b"].league_of == 2


def test_our_assumptions_are_named():
    result = segment(VALUES, {}, DEFAULT_SYSTEM_CONFIG)
    text = " ".join(result.assumptions)
    assert "not published" in text
    assert "segment 5" in text
    assert "no financial adjustment" in text
    assert "quartiles" in text
