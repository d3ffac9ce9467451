"""Charts drawn on the server as SVG, each with the same numbers as a table.

A chart is an image with a text alternative (``<title>`` and ``<desc>``, referenced by
``aria-labelledby``) and never the only way to read its numbers: templates show ``chart.table``
beside it (``macros.jinja``'s ``chart`` macro does both). No script, no inline style: colours are
presentation attributes, so the portal's Content-Security-Policy holds. SPC and funnel charts
(analytics) are meant to be added here on the same :class:`Chart` shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

NHS_BLUE = "#005eb8"
NHS_DARK_GREY = "#425563"
TEXT = "#212b32"
GRID = "#d8dde0"
MAX_LABEL = 44  # characters of a bar's label drawn; the table has the whole label


@dataclass(frozen=True)
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    """An SVG image and its data table."""

    id: str
    title: str
    description: str
    svg: Markup
    table: Table


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover - 10 * 10**e always reaches value


def bar_chart(
    chart_id: str,
    title: str,
    data: Sequence[tuple[str, float | None]],
    *,
    unit: str = "",
    label_header: str = "Category",
    value_header: str = "Value",
    describe: Callable[[Sequence[tuple[str, float | None]]], str] | None = None,
    width: int = 760,
) -> Chart:
    """A horizontal bar chart; a value of ``None`` is drawn as no bar and shown as 'no data'."""
    bar, gap, right, top = 22, 10, 70, 10
    longest = max((len(label) for label, _ in data), default=0)
    left = int(min(max(7.6 * min(longest, MAX_LABEL) + 16, 120), 360))
    height = top + len(data) * (bar + gap) + 30
    values = [v for _, v in data if v is not None]
    top_value = _nice_max(max(values, default=0.0))
    scale = (width - left - right) / top_value
    ids = f"{chart_id}-title {chart_id}-desc"
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="icsys-chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{ids}" '
            f'focusable="false">'
        ),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    desc = describe(data) if describe else _describe(data, unit)
    parts.append(f'<desc id="{chart_id}-desc">{escape(desc)}</desc>')
    axis_y = top + len(data) * (bar + gap)
    for tick in range(5):
        x = left + tick * (width - left - right) / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID}" />')
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 18}" fill="{NHS_DARK_GREY}" font-size="13" '
            f'text-anchor="middle">{escape(_fmt(top_value * tick / 4))}{escape(unit)}</text>'
        )
    for index, (label, value) in enumerate(data):
        y = top + index * (bar + gap)
        short = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + bar / 2 + 5:.1f}" fill="{TEXT}" font-size="14" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{left + 4}" y="{y + bar / 2 + 5:.1f}" fill="{NHS_DARK_GREY}" '
                f'font-size="13">no data</text>'
            )
            continue
        w = max(value * scale, 0.0)
        parts.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{NHS_BLUE}" />'
        )
        parts.append(
            f'<text x="{left + w + 6:.1f}" y="{y + bar / 2 + 5:.1f}" fill="{TEXT}" '
            f'font-size="13">{escape(_fmt(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    table = Table(
        caption=title,
        head=[label_header, value_header + (f" ({unit.strip()})" if unit.strip() else "")],
        rows=[[label, "no data" if v is None else _fmt(v)] for label, v in data],
        numeric=[False, True],
    )
    return Chart(chart_id, title, desc, Markup("".join(parts)), table)  # noqa: S704 - escaped above


def _describe(data: Sequence[tuple[str, float | None]], unit: str) -> str:
    known = [(label, v) for label, v in data if v is not None]
    if not known:
        return "No data."
    high = max(known, key=lambda x: x[1])
    low = min(known, key=lambda x: x[1])
    return (
        f"{len(data)} bars. Highest: {high[0]}, {_fmt(high[1])}{unit}. "
        f"Lowest: {low[0]}, {_fmt(low[1])}{unit}. The table below has every value."
    )
