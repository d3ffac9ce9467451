"""Small shared pieces of the server-rendered SVG charts (SPC, funnel, icons).

Charts use presentation attributes only (``fill``, ``stroke``…): no ``<style>``, no ``style=``
attribute, no script and no external reference, so they hold under the portal's strict
Content-Security-Policy, print as they are and embed in a PDF board pack.
"""

from __future__ import annotations

import math
from html import escape
from typing import Final

TEXT: Final = "#212b32"
AXIS: Final = "#425563"
GRID: Final = "#d8dde0"
FONT: Final = "Frutiger W01, Arial, sans-serif"


def fmt(value: float | None, unit: str = "") -> str:
    """A number as charts and their tables print it (no data for ``None``)."""
    if value is None or not math.isfinite(value):
        return "no data"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif float(value).is_integer():
        text = f"{int(value)}"
    else:
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    return f"{text}{unit}" if unit in {"", "%"} else f"{text} {unit}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``-``high`` (at least two)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    exponent = math.floor(math.log10(raw))
    step = next(
        s * 10**exponent for s in (1, 2, 2.5, 5, 10) if s * 10**exponent >= raw
    )  # the loop always reaches 10 × 10^e ≥ raw
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def tick_labels(ticks: list[float], unit: str = "") -> list[str]:
    """Tick labels with as many decimals as the step needs (all alike)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    out = [f"{t:,.{decimals}f}" for t in ticks]
    return [f"{t}{unit}" if unit in {"", "%"} else t for t in out]


def open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    """The opening of an accessible chart: ``role="img"``, ``<title>`` and ``<desc>``."""
    ids = f"{chart_id}-title {chart_id}-desc"
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="icsys-chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{ids}" '
            f'focusable="false" font-family="{FONT}">'
        ),
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" />',
    ]


def text(
    x: float,
    y: float,
    label: str,
    *,
    size: int = 13,
    anchor: str = "start",
    fill: str = AXIS,
    weight: str | None = None,
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" font-size="{size}" '
        f'text-anchor="{anchor}"{bold}>{escape(label)}</text>'
    )


def hline(
    x1: float,
    x2: float,
    y: float,
    *,
    stroke: str,
    width: float = 1.5,
    dash: str | None = None,
    cls: str = "",
) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<line{klass} x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
        f'stroke="{stroke}" stroke-width="{width}"{dashed} />'
    )
