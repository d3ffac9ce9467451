"""Funnel plots drawn as SVG: pooled comparator, limits from assessment.compare, colours by side."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from icsys.assessment.compare import proportion_funnel, rate_funnel
from icsys.reports.funnel_svg import FunnelPoint, funnel_figure
from icsys.reports.mdc_icons import COMMON, CONCERN, IMPROVEMENT, NEUTRAL

NS = "{http://www.w3.org/2000/svg}"
AREAS = [
    FunnelPoint("A", "Area A", 100, 1000),
    FunnelPoint("B", "Area B", 210, 2000),
    FunnelPoint("C", "Area C", 290, 3000),
    FunnelPoint("D", "Area D", 900, 4000, highlight=True),  # far above the rest
]


def _circles(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    return {
        c.get("data-code", ""): c
        for c in root.iter(f"{NS}circle")
        if c.get("class") == "funnel-point"
    }


def test_the_comparator_is_pooled_and_limits_are_the_assessment_ones():
    figure = funnel_figure(
        AREAS, kind="proportion", multiplier=100, title="P", unit="%", chart_id="f"
    )
    pooled = (100 + 210 + 290 + 900) / (1000 + 2000 + 3000 + 4000) * 100
    assert figure.comparator == pytest.approx(pooled)
    row = next(r for r in figure.rows if r["code"] == "B")
    expected = proportion_funnel(pooled, 2000, multiplier=100)
    assert row["upper_998"] == pytest.approx(expected.upper_998)
    assert row["lower_95"] == pytest.approx(expected.lower_95)
    assert next(r for r in figure.rows if r["code"] == "D")["position"] == "above_99.8"


@pytest.mark.parametrize(
    ("improvement", "colour"),
    [("increase", IMPROVEMENT), ("decrease", CONCERN), ("neutral", NEUTRAL)],
)
def test_an_area_outside_the_limits_is_coloured_by_the_direction_of_improvement(
    improvement, colour
):
    figure = funnel_figure(
        AREAS,
        kind="proportion",
        multiplier=100,
        title="P",
        unit="%",
        chart_id="f",
        improvement=improvement,
    )
    circles = _circles(figure.svg)
    assert circles["D"].get("fill") == colour
    assert circles["D"].get("r") == "7"  # highlighted
    within = [r["code"] for r in figure.rows if r["position"] == "within_95"]
    assert all(circles[c].get("fill") == COMMON for c in within)


def test_rates_use_byar_limits_and_the_chart_is_accessible():
    figure = funnel_figure(
        AREAS,
        kind="crude_rate",
        multiplier=1000,
        title="Rate <r>",
        unit="per 1,000",
        chart_id="r",
        comparator=100.0,
    )
    row = next(r for r in figure.rows if r["code"] == "C")
    assert row["upper_95"] == pytest.approx(rate_funnel(100.0, 3000, multiplier=1000).upper_95)
    root = ET.fromstring(figure.svg)  # noqa: S314 - our own SVG
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Rate <r>"
    assert "Area D" in root.find(f"{NS}desc").text
    assert "style" not in figure.svg


def test_areas_without_a_denominator_are_left_out_and_an_empty_plot_says_so():
    figure = funnel_figure(
        [FunnelPoint("Z", "Zero", 0, 0)],
        kind="proportion",
        multiplier=100,
        title="P",
        unit="%",
        chart_id="e",
    )
    assert figure.rows == []
    assert figure.comparator is None
    assert "no areas" in figure.svg
