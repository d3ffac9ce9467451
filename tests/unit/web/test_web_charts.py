"""Server-side SVG charts: an image with a text alternative, and the same numbers as a table."""

from __future__ import annotations

from icsys.web.charts import bar_chart


def test_a_bar_chart_is_an_accessible_image_with_its_data_table():
    chart = bar_chart(
        "c1", "Items <led>", [("Local government", 12.5), ("VCSE", None), ("A & B", 3.0)], unit="%"
    )
    svg = str(chart.svg)
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Items &lt;led&gt;</title>' in svg
    assert "A &amp; B" in svg
    assert svg.count("<rect") == 2  # no bar for missing data
    assert "no data" in svg
    assert "style" not in svg  # the CSP forbids inline styles
    assert chart.table.head == ["Category", "Value (%)"]
    assert chart.table.rows == [["Local government", "12.5"], ["VCSE", "no data"], ["A & B", "3"]]
    assert "Highest: Local government" in chart.description


def test_an_empty_chart_says_so():
    chart = bar_chart("c2", "Nothing", [])
    assert chart.description == "No data."
    assert chart.table.rows == []
