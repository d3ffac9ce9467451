"""SPC charts and MDC icons drawn as SVG: colours follow xmr_chart, gaps stay gaps, text alternatives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from icsys.analytics.finish import SPC_RULES
from icsys.analytics.methods.spc import xmr_chart
from icsys.reports.mdc_icons import ICON_LABELS
from icsys.reports.spc_svg import POINT_COLOURS, icon_svg, spc_figure

NS = {"s": "http://www.w3.org/2000/svg"}
BASE = [50.0, 52.0, 49.0, 51.0, 50.0, 48.0, 52.0, 50.0, 51.0, 49.0, 50.0, 51.0, 49.0, 50.0]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own SVG, not untrusted input


def _points(svg: str) -> dict[str, ET.Element]:
    root = _parse(svg)
    return {
        c.get("data-period", ""): c
        for c in root.iter(f"{{{NS['s']}}}circle")
        if c.get("class") == "spc-point"
    }


@pytest.mark.parametrize(
    ("improvement", "expected"),
    [("increase", "special_cause_improvement"), ("decrease", "special_cause_concern")],
)
def test_a_special_cause_point_is_drawn_in_the_colour_xmr_chart_gives_it(improvement, expected):
    values = [*BASE, 80.0]
    periods = [f"P{i:02d}" for i in range(len(values))]
    chart = xmr_chart(values, rules=SPC_RULES, improvement_direction=improvement)
    assert chart.points[-1].point_type == expected  # the method's classification
    figure = spc_figure(
        periods, values, title="Test", unit="%", improvement=improvement, chart_id="t"
    )
    points = _points(figure.svg)
    for period, point in zip(periods, chart.points, strict=True):
        assert points[period].get("data-point-type") == point.point_type
        assert points[period].get("fill") == POINT_COLOURS[point.point_type][0]
    assert figure.variation_icon == chart.variation_icon
    assert figure.rows[-1]["point_type"] == expected
    assert figure.rows[-1]["upper"] == pytest.approx(chart.points[-1].upl)


def test_improvement_and_concern_have_different_colours():
    assert (
        POINT_COLOURS["special_cause_improvement"][0] != POINT_COLOURS["special_cause_concern"][0]
    )
    assert POINT_COLOURS["common_cause"][0] not in {
        POINT_COLOURS["special_cause_improvement"][0],
        POINT_COLOURS["special_cause_concern"][0],
    }


def test_a_missing_value_leaves_a_gap_not_a_zero():
    values: list[float | None] = [*BASE[:6], None, *BASE[6:]]
    periods = [f"P{i:02d}" for i in range(len(values))]
    figure = spc_figure(periods, values, title="Gap", unit="", improvement="neutral", chart_id="g")
    points = _points(figure.svg)
    assert "P06" not in points
    assert len(points) == len(BASE)
    root = _parse(figure.svg)
    lines = [p for p in root.iter(f"{{{NS['s']}}}polyline") if p.get("class") == "spc-line"]
    assert len(lines) == 2  # the line is broken at the gap
    assert figure.rows[6] == {
        "period": "P06",
        "value": None,
        "mean": None,
        "lower": None,
        "upper": None,
        "point_type": None,
    }
    # limits are those of the values present, as if the gap were not there
    chart = xmr_chart(BASE, rules=SPC_RULES, improvement_direction="neutral")
    assert figure.rows[0]["mean"] == pytest.approx(chart.points[0].mean)
    assert min(float(c.get("cy", "0")) for c in points.values()) > 0


def test_the_chart_is_an_accessible_self_contained_image():
    figure = spc_figure(
        ["A", "B", "C"],
        [1.0, 2.0, 1.5],
        title="Rate <x>",
        unit="per 1,000",
        improvement="decrease",
        chart_id="acc",
        target=1.2,
    )
    svg = figure.svg
    root = _parse(svg)  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "acc-title acc-desc"
    assert root.find("s:title", NS).text == "Rate <x>"
    assert "3 of 3 periods" in root.find("s:desc", NS).text
    assert "style" not in svg  # no inline style: the portal's CSP forbids it
    assert "href" not in svg  # no external reference: prints and embeds as it is
    assert "<script" not in svg
    assert root.find(".//s:line[@class='spc-target']", NS) is not None
    assert figure.assurance_icon in {"consistent_pass", "consistent_fail", "inconsistent"}
    assert figure.rules == SPC_RULES.name


def test_one_value_is_plotted_without_limits_or_icons():
    figure = spc_figure(
        ["A", "B"], [None, 3.0], title="One", unit="", improvement="increase", chart_id="one"
    )
    assert figure.variation_icon is None
    assert figure.rows[1]["mean"] is None
    assert len(_points(figure.svg)) == 1


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="periods"):
        spc_figure(["A"], [1.0, 2.0], title="x", unit="", improvement="increase", chart_id="x")
    with pytest.raises(ValueError, match="improvement"):
        spc_figure(["A"], [1.0], title="x", unit="", improvement="up", chart_id="x")


@pytest.mark.parametrize("icon", sorted(ICON_LABELS))
def test_each_icon_carries_its_name(icon):
    svg = icon_svg(icon, size=32)
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == ICON_LABELS[icon]
    assert root.find("s:title", NS).text == ICON_LABELS[icon]
    assert root.get("width") == "32"
    assert "style" not in svg


def test_icons_name_what_they_mean():
    assert "improvement" in ICON_LABELS["improvement_high"]
    assert "concern" in ICON_LABELS["concern_low"]
    assert "Common cause" in ICON_LABELS["common_cause"]
    assert "consistently be met" in ICON_LABELS["consistent_pass"]
    with pytest.raises(ValueError, match="unknown"):
        icon_svg("sideways")
