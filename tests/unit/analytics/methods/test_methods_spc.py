"""XmR charts: methods.md 1.3 vectors point by point, for both presets where the spec says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icsys.analytics.methods.spc import special_cause_points, xmr_chart
from icsys.analytics.methods.spc_rules import (
    MDC_SQL_2_6,
    PTD,
    assurance_icon,
    variation_icon,
)
from icsys.analytics.methods.spc_vector import xmr_batch

PTD_UNSCREENED = dataclasses.replace(PTD, screen_outliers=False)

V1 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
A = [10, 11, 9, 10, 12, 10, 9, 11, 10, 9, 12, 13, 12, 14, 13, 12, 13, 14, 13, 12]
B = [12, 10, 11, 13, 9, 12, 8, 9, 10, 11, 12, 13, 14, 11, 12, 10, 11, 12, 10, 11]
C = [10, 11, 10, 9, 10, 11, 9, 10, 11, 10, 9, 10, 13.5, 11, 13.6, 10, 11, 9, 10, 11]
C2 = [*C[:13], 9, *C[14:]]
D = [30, 32, 29, 31, 30, 28, 31, 33, 30, 29, 31, 30, 32, 29, 30, 31, 28, 30, 32, 31]
E = [11, 12, 11, 12, 11, 12, 10, 11, 12, 11, 9, 8, 9, 8, 9, 8, 9, 8, 10, 9]
F = [*E[:6], 11, 10, *E[8:]]
G = [5, 6, 5, 6, 5, 1, 2, 3, 3, 4, 5, 6, 7, 5, 6, 5, 6, 5, 6, 5]
H = [5, 6, 5, 6, 5, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 5, 6, 5, 6, 5]
J2 = [10, 11, 10, 9, 10, 11, 9, 10, 11, 10, 9, 10, 14.2, 11, 17, 10, 11, 9, 10, 11]
K = [10, 11, 10, 9, 10, 11, 9, 10, 8, 9, 10, 11, 12, 13, 10, 9, 11, 10, 9, 10]

ABOVE7 = "7 Points Above CL"
BELOW7 = "7 Points Below CL"
UP7 = "7 Point Trend (Increasing)"


def _labels(chart):
    """1-based position -> label for every special-cause point."""
    return {p.index + 1: p.label for p in chart.points if p.label != "Common Cause"}


def _types(chart):
    return {p.index + 1: p.point_type for p in chart.points if p.point_type != "common_cause"}


def _span(first, last, label):
    return dict.fromkeys(range(first, last + 1), label)


def _limits(chart, mean, lpl, upl, tol):
    group = chart.groups[0]
    assert group.mean == pytest.approx(mean, abs=tol)
    assert group.lpl == pytest.approx(lpl, abs=tol)
    assert group.upl == pytest.approx(upl, abs=tol)
    for point in chart.points:
        assert (point.mean, point.lpl, point.upl) == (group.mean, group.lpl, group.upl)


def test_presets_are_named_in_outputs():
    assert xmr_chart(A).preset == "NHSRplotthedots 0.2.2"
    assert xmr_chart(A, rules=MDC_SQL_2_6).preset == "NHS England MDC SQL v2.6"


def test_v1_screened_and_unscreened():
    screened = xmr_chart(V1)
    _limits(screened, 1.944444, -0.715556, 4.604444, 5e-7)
    assert screened.groups[0].mr_bar == pytest.approx(1)
    unscreened = xmr_chart(V1, rules=PTD_UNSCREENED)
    _limits(unscreened, 1.944444, -3.062614, 6.951503, 5e-7)
    assert unscreened.groups[0].mr_bar == pytest.approx(32 / 17)
    for chart in (screened, unscreened):
        assert _labels(chart) == {5: "Above UCL"}
        assert _types(chart) == {5: "special_cause_improvement"}
    assert screened.groups[0].short_group_warning is False


def test_a_shift_and_fixed_limits():
    chart = xmr_chart(A)
    _limits(chart, 11.45, 7.81, 15.09, 1e-9)
    assert _labels(chart) == _span(11, 20, ABOVE7)
    assert set(_types(chart).values()) == {"special_cause_improvement"}
    fixed = xmr_chart(A, fix_after_n_points=12)
    _limits(fixed, 10.5, 6.389091, 14.610909, 5e-7)
    assert fixed.groups[0].baseline_n == 12
    assert _labels(fixed) == _span(11, 20, ABOVE7)
    assert fixed.variation_icon == "improvement_high"


def test_b_trend_is_concern_when_decrease_is_improvement():
    chart = xmr_chart(B, improvement_direction="decrease")
    _limits(chart, 11.05, 6.43, 15.67, 1e-9)
    assert _labels(chart) == _span(7, 13, UP7)
    assert _types(chart) == _span(7, 13, "special_cause_concern")
    assert chart.variation_icon == "common_cause"


def test_c_two_in_three_neutral_and_c2():
    chart = xmr_chart(C, improvement_direction="neutral")
    _limits(chart, 10.455, 6.367, 14.543, 1e-9)
    assert chart.groups[0].near_upl == pytest.approx(13.18033, abs=5e-6)
    assert _labels(chart) == {13: "2 in 3 Above CL", 15: "2 in 3 Above CL"}
    assert _types(chart) == {13: "special_cause_neutral_high", 15: "special_cause_neutral_high"}
    assert _labels(xmr_chart(C2, improvement_direction="neutral")) == {}


@pytest.mark.parametrize(
    ("direction", "target", "ptd", "mdc"),
    [
        ("decrease", 40, "consistent_pass", "consistent_pass"),
        ("decrease", 20, "consistent_fail", "consistent_fail"),
        ("increase", 31, "inconsistent", "inconsistent"),
        ("increase", None, None, None),
        ("neutral", 31, None, None),
    ],
)
def test_d_assurance(direction, target, ptd, mdc):
    chart = xmr_chart(D, improvement_direction=direction, target=target)
    _limits(chart, 30.35, 25.17, 35.53, 1e-9)
    assert _labels(chart) == {}
    assert chart.assurance_icon == ptd
    assert (
        xmr_chart(
            D, rules=MDC_SQL_2_6, improvement_direction=direction, target=target
        ).assurance_icon
        == mdc
    )


def test_assurance_at_the_limit_is_strict_for_ptd_and_inclusive_for_mdc():
    upl = xmr_chart(D).groups[0].upl
    assert assurance_icon(upl, 25.17, upl, "increase", inclusive=False) == "inconsistent"
    assert assurance_icon(upl, 25.17, upl, "increase", inclusive=True) == "consistent_fail"
    assert assurance_icon(25.17, 25.17, upl, "increase", inclusive=True) == "consistent_pass"
    assert assurance_icon(upl, 25.17, upl, "decrease", inclusive=True) == "consistent_pass"


def test_e_point_on_the_mean_both_presets():
    ptd = xmr_chart(E, improvement_direction="decrease")
    _limits(ptd, 10, 6.92, 13.08, 1e-9)
    assert _labels(ptd) == _span(11, 18, BELOW7)
    assert _types(ptd) == _span(11, 18, "special_cause_improvement")
    mdc = xmr_chart(E, rules=MDC_SQL_2_6, improvement_direction="decrease")
    assert _labels(mdc) == {
        **_span(1, 6, "6 Points Above CL"),
        **_span(11, 18, "6 Points Below CL"),
    }
    assert _types(mdc) == {
        **_span(1, 6, "special_cause_concern"),
        **_span(11, 18, "special_cause_improvement"),
    }


def test_f_on_mean_breaks_the_run():
    chart = xmr_chart(F, improvement_direction="increase")
    assert _labels(chart) == {**_span(1, 7, ABOVE7), **_span(11, 18, BELOW7)}
    assert _types(chart) == {
        **_span(1, 7, "special_cause_improvement"),
        **_span(11, 18, "special_cause_concern"),
    }


def test_g_ties_and_precedence():
    chart = xmr_chart(G)
    _limits(chart, 4.8, 2.14, 7.46, 1e-9)
    assert _labels(chart) == {
        6: "Below LCL",
        7: "Below LCL",
        8: "2 in 3 Below CL",
        9: "2 in 3 Below CL",
        **_span(11, 20, ABOVE7),
    }


def test_h_astronomical_beats_trend():
    chart = xmr_chart(H)
    _limits(chart, 5.05, 1.69, 8.41, 1e-9)
    assert _labels(chart) == {6: "Below LCL", **_span(7, 13, UP7)}


def test_j2_two_sigma_rule_differs_between_presets():
    ptd = xmr_chart(J2, rules=PTD_UNSCREENED)
    _limits(ptd, 10.66, 15.896 - 2 * (15.896 - 10.66), 15.896, 1e-9)
    assert ptd.groups[0].near_upl == pytest.approx(14.15067, abs=5e-6)
    assert _labels(ptd) == {15: "Above UCL"}
    mdc = xmr_chart(J2, rules=MDC_SQL_2_6)
    _limits(mdc, 10.66, 5.424, 15.896, 1e-9)
    assert _labels(mdc) == {13: "2 in 3 Above CL", 15: "Above UCL"}


def test_k_six_point_trend_only_under_mdc():
    assert _labels(xmr_chart(K)) == {}
    mdc = xmr_chart(K, rules=MDC_SQL_2_6)
    assert special_cause_points(mdc) == tuple(range(9, 15))
    assert set(_labels(mdc).values()) == {"6 Point Trend (Increasing)"}


def test_mr_bar_zero_guard():
    values = [5] * 10 + [6, 6, 6, 6, 6, 6, 5.5, 6, 6, 6]
    chart = xmr_chart(values)
    ranges = np.abs(np.diff(values))
    assert chart.groups[0].mr_bar == pytest.approx(ranges.mean())
    assert chart.groups[0].upl > chart.groups[0].mean
    assert any("screening removed every non-zero" in w for w in chart.warnings)
    flat = xmr_chart([4.0] * 15)
    assert _labels(flat) == {}
    assert flat.groups[0].lpl == flat.groups[0].upl == 4


def test_rebase_by_position_and_date_restarts_everything():
    values = A + [v + 10 for v in A]
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(40)]
    by_index = xmr_chart(values, rebase=[20])
    by_date = xmr_chart(values, dates=dates, rebase=[dates[20]])
    assert by_index.points == tuple(dataclasses.replace(p, date=None) for p in by_date.points)
    assert len(by_index.groups) == 2
    _limits(xmr_chart(values[20:]), 21.45, 17.81, 25.09, 1e-9)
    assert by_index.groups[1].mean == pytest.approx(21.45)
    assert by_index.points[25].group == 1
    assert by_index.points[20].moving_range is None
    assert _labels(by_index) == {**_span(11, 20, ABOVE7), **_span(31, 40, ABOVE7)}
    with pytest.raises(ValueError, match="not one of the chart's dates"):
        xmr_chart(values, dates=dates, rebase=[dt.date(1999, 1, 1)])
    with pytest.raises(ValueError, match="outside"):
        xmr_chart(values, rebase=[40])


def test_short_groups_and_run_charts():
    short = xmr_chart(A[:12])
    assert short.groups[0].short_group_warning
    assert any("trial limits" in w for w in short.warnings)
    assert not xmr_chart(A[:13]).groups[0].short_group_warning
    run = xmr_chart(A[:12], rules=MDC_SQL_2_6, target=3)
    assert run.is_run_chart
    assert run.variation_icon is None
    assert run.assurance_icon is None
    assert {p.point_type for p in run.points} == {"not_assessed"}
    assert all(p.upl is None for p in run.points)
    assert not xmr_chart(A[:12]).is_run_chart
    partition = xmr_chart(A + A, rules=MDC_SQL_2_6, rebase=[29])
    assert [g.short_group_warning for g in partition.groups] == [False, True]


def test_mdc_trend_crosses_partitions_but_ptd_does_not():
    values = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 12, 13, 14, 15, 9, 10]
    # The rise 10..15 straddles the rebase at position 14 (1-based 15).
    mdc = xmr_chart(values, rules=MDC_SQL_2_6, rebase=[14])
    assert {13, 14, 15, 16, 17, 18} <= set(special_cause_points(mdc))
    ptd = xmr_chart(values, rules=dataclasses.replace(PTD, trend_n=6), rebase=[14])
    assert not any("Trend" in label for label in _labels(ptd).values())


def test_mdc_mean_recomputed_when_screening_is_on():
    rules = dataclasses.replace(MDC_SQL_2_6, screen_outliers=True)
    chart = xmr_chart(V1, rules=rules)
    # MRs 8 and 9 exceed 3.267·MR̄₀; the points with those MRs (10 and the 1 after it) go.
    kept = [v for i, v in enumerate(V1) if i not in {4, 5}]
    assert chart.groups[0].mean == pytest.approx(np.mean(kept))
    assert chart.groups[0].mr_bar == pytest.approx(1)


def test_icon_table():
    assert variation_icon("special_cause_improvement", "increase") == "improvement_high"
    assert variation_icon("special_cause_improvement", "decrease") == "improvement_low"
    assert variation_icon("special_cause_concern", "increase") == "concern_low"
    assert variation_icon("special_cause_concern", "decrease") == "concern_high"
    assert variation_icon("special_cause_neutral_low", "neutral") == "neutral_low"
    assert variation_icon("common_cause", "neutral") == "common_cause"


def test_input_errors():
    with pytest.raises(ValueError, match="finite"):
        xmr_chart([])
    with pytest.raises(ValueError, match="finite"):
        xmr_chart([1.0, float("nan")])
    with pytest.raises(ValueError, match="at least 12"):
        xmr_chart(A, fix_after_n_points=11)
    with pytest.raises(ValueError, match="differ in length"):
        xmr_chart(A, dates=[dt.date(2024, 1, 1)])


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=2, max_size=40))
def test_limits_match_a_numpy_reference_without_screening(values):
    chart = xmr_chart(values, rules=PTD_UNSCREENED)
    y = np.asarray(values, dtype=float)
    mr_bar = np.abs(np.diff(y)).mean()
    assert chart.groups[0].upl == pytest.approx(y.mean() + 2.66 * mr_bar)
    assert chart.groups[0].near_lpl == pytest.approx(y.mean() - 2.66 * 2 / 3 * mr_bar)
    upl = y.mean() + 2.66 * mr_bar
    clear = {i + 1 for i, v in enumerate(y) if abs(v - upl) > 1e-9}
    outside = {i for i in clear if y[i - 1] > upl}
    above = {i for i, label in _labels(chart).items() if label == "Above UCL"}
    assert above & clear == outside


FLAT = 500474.00000000035  # 24 of it summed and divided by 24 is one unit in the last place less


@pytest.mark.parametrize("rules", [PTD, MDC_SQL_2_6], ids=["ptd", "mdc"])
def test_a_flat_series_is_common_cause_with_its_value_as_the_mean(rules):
    # a population repeated month after month from one yearly estimate: every point is on the
    # centre line (as R's mean puts it), so no run of points "above" it is a shift
    assert math.fsum([FLAT] * 24) / 24 != FLAT
    chart = xmr_chart([FLAT] * 24, rules=rules, improvement_direction="increase")
    assert chart.groups[0].mean == FLAT
    assert _types(chart) == {}
    batch = xmr_batch(np.full((1, 24), FLAT), np.array([1]), rules)
    assert batch.mean[0] == FLAT
    assert set(batch.point_types()[0]) == {"common_cause"}
