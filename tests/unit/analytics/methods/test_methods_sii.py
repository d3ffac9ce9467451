"""SII/RII: methods.md 3.4 "area1" vector, simulated CI, and numpy lstsq WLS references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from icsys.analytics.methods.sii import (
    MissingQuantileDataError,
    SiiQuantiles,
    relative_ranks,
    sii,
    sii_by_area,
)

POP = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
VALUE = [
    75.9334590103081,
    78.3442382727843,
    83.8360631041654,
    83.6375399664931,
    80.4655031529559,
    81.1156759857022,
    81.6930835718562,
    84.1900062060987,
    80.5955641081472,
    86.2894349578624,
]
LCL = [
    72.7220530546453,
    75.2509802190802,
    80.8697295124759,
    80.157578356036,
    77.1308785969275,
    78.0499986811178,
    79.011578491948,
    81.4457282769343,
    75.827185168894,
    83.2190593454592,
]
UCL = [
    79.1448649659708,
    81.4374963264884,
    86.8023966958549,
    87.1175015769501,
    83.8001277089842,
    84.1813532902866,
    84.3745886517644,
    86.9342841352631,
    85.3639430474004,
    89.3598105702656,
]
AREA1 = SiiQuantiles(POP, VALUE, LCL, UCL)


def _wls(y, pop):
    # Reference: ordinary least squares of √a·y on [√a, √a·b] via numpy.linalg.lstsq.
    a = np.asarray(pop, dtype=float) / np.sum(pop)
    b = np.cumsum(a) - a / 2
    w = np.sqrt(a)
    design = np.column_stack([w, w * b])
    (intercept, slope), *_ = np.linalg.lstsq(design, w * np.asarray(y, dtype=float), rcond=None)
    return intercept, slope


def test_relative_ranks_vector():
    expected = [
        0.053331,
        0.165157,
        0.268309,
        0.369039,
        0.467464,
        0.560536,
        0.654544,
        0.741530,
        0.837505,
        0.944891,
    ]
    assert relative_ranks(POP) == pytest.approx(expected, abs=5e-7)


def test_area1_point_estimates():
    result = sii(AREA1, reps=None)
    assert result.sii == pytest.approx(6.934616473669, abs=1e-11)
    assert result.rii == pytest.approx(1.088818080445, abs=1e-11)
    assert result.intercept == pytest.approx(78.07663078232, abs=1e-10)
    assert result.sii_intervals == ()


def test_area1_simulated_confidence_interval():
    result = sii(AREA1)
    limits = result.sii_intervals[0]
    assert limits.confidence == 0.95
    assert limits.lower == pytest.approx(3.127594617650817, abs=0.1)
    assert limits.upper == pytest.approx(10.7586873680794, abs=0.1)
    rii = result.rii_intervals[0]
    assert rii.lower is not None
    assert rii.upper is not None
    assert rii.lower < result.rii < rii.upper


def test_simulated_limits_match_the_normal_approximation():
    # The slope is linear in y, so its sampling distribution is normal with a closed-form SD.
    a = np.asarray(POP, dtype=float) / sum(POP)
    b = np.cumsum(a) - a / 2
    x = np.column_stack([np.ones_like(b), b])
    weighted = np.linalg.inv(x.T @ (a[:, None] * x)) @ (x.T * a)
    se = (np.asarray(UCL) - np.asarray(LCL)) / (2 * stats.norm.ppf(0.975))
    sd = np.sqrt(np.sum(weighted[1] ** 2 * se**2))
    result = sii(AREA1, confidence=(0.95, 0.998), rng=np.random.default_rng(20240101))
    for interval in result.sii_intervals:
        z = stats.norm.ppf(1 - (1 - interval.confidence) / 2)
        # Monte Carlo error of a tail order statistic: ~0.02 at 95 %, ~0.06 at 99.8 %.
        tol = 0.06 if interval.confidence == 0.95 else 0.25
        assert interval.lower == pytest.approx(6.934616473669 - z * sd, abs=tol)
        assert interval.upper == pytest.approx(6.934616473669 + z * sd, abs=tol)


def test_seeded_generator_is_reproducible_and_reps_configurable():
    first = sii(AREA1, reps=2_000, rng=np.random.default_rng(7))
    second = sii(AREA1, reps=2_000, rng=np.random.default_rng(7))
    assert first == second
    with pytest.raises(ValueError, match="reps"):
        sii(AREA1, reps=999)


@settings(max_examples=50, deadline=None)
@given(
    pops=st.lists(st.integers(min_value=1, max_value=50_000), min_size=5, max_size=20),
    data=st.data(),
)
def test_point_estimate_matches_lstsq(pops, data):
    values = data.draw(
        st.lists(
            st.floats(min_value=1, max_value=1_000),
            min_size=len(pops),
            max_size=len(pops),
        ),
    )
    intercept, slope = _wls(values, pops)
    result = sii(SiiQuantiles(pops, values), reps=None, multiplier=-1)
    assert result.sii == pytest.approx(-slope, rel=1e-8, abs=1e-8)
    assert result.intercept == pytest.approx(intercept, rel=1e-8)
    assert result.rii == pytest.approx(intercept / (intercept + slope), rel=1e-8)


def test_log_transform_matches_lstsq_on_the_log_scale():
    rates = [120.0, 110.0, 100.0, 95.0, 80.0, 70.0]
    pops = [1000, 1200, 900, 1100, 1000, 800]
    lower = [r * 0.8 for r in rates]
    upper = [r * 1.25 for r in rates]
    intercept, slope = _wls(np.log(rates), pops)
    result = sii(
        SiiQuantiles(pops, rates, lower, upper),
        value_type=1,
        transform=True,
        reps=5_000,
    )
    assert result.sii == pytest.approx(np.exp(intercept + slope) - np.exp(intercept), rel=1e-10)
    assert result.rii == pytest.approx(np.exp(slope), rel=1e-10)
    assert result.intercept == pytest.approx(np.exp(intercept), rel=1e-10)
    assert result.sii_intervals[0].lower < result.sii < result.sii_intervals[0].upper
    assert result.rii_intervals[0].lower < result.rii < result.rii_intervals[0].upper


def test_logit_without_transform_regresses_the_raw_proportions():
    props = [0.30, 0.28, 0.25, 0.22, 0.20]
    pops = [500, 500, 600, 400, 500]
    _, slope = _wls(props, pops)
    result = sii(
        SiiQuantiles(pops, props, [p - 0.03 for p in props], [p + 0.03 for p in props]),
        value_type=2,
        reps=None,
    )
    assert result.sii == pytest.approx(slope, rel=1e-10)


@pytest.mark.parametrize(
    ("pops", "message"),
    [
        ([0, *POP[1:]], "zero or negative"),
        ([-5, *POP[1:]], "zero or negative"),
        ([None, *POP[1:]], "missing"),
        ([float("nan"), *POP[1:]], "missing"),
        (POP[:4], "between 5 and 100"),
    ],
)
def test_population_errors(pops, message):
    with pytest.raises(ValueError, match=message):
        sii(SiiQuantiles(pops, VALUE[: len(pops)], LCL[: len(pops)], UCL[: len(pops)]))


def test_option_errors():
    with pytest.raises(ValueError, match="value_type"):
        sii(AREA1, value_type=3)
    with pytest.raises(ValueError, match="transform"):
        sii(AREA1, transform=True)
    with pytest.raises(MissingQuantileDataError):
        sii(SiiQuantiles(POP, VALUE), reps=1_000)
    with pytest.raises(MissingQuantileDataError):
        sii(SiiQuantiles(POP, [None, *VALUE[1:]], LCL, UCL))


def test_by_area_drops_areas_with_missing_values():
    broken = SiiQuantiles(POP, [*VALUE[:3], None, *VALUE[4:]], LCL, UCL)
    out = sii_by_area({"area1": AREA1, "broken": broken}, reps=None)
    assert out.dropped == ("broken",)
    assert out.results["area1"].sii == pytest.approx(6.934616473669, abs=1e-11)
    with pytest.raises(ValueError, match="zero or negative"):
        sii_by_area({"bad": SiiQuantiles([0, *POP[1:]], VALUE, LCL, UCL)}, reps=None)


def test_se_may_be_supplied_for_untransformed_values():
    se = [1.0] * 10
    result = sii(SiiQuantiles(POP, VALUE, se=se), reps=1_000)
    assert result.sii_intervals[0].lower < result.sii < result.sii_intervals[0].upper
    assert "PHE warns" in sii(SiiQuantiles(POP * 2, VALUE * 2, se=se * 2), reps=None).notes[0]
