"""Server-rendered funnel plots (value against denominator, 95 % and 99.8 % control limits).

The comparator is pooled over the plotted areas (``Σ numerator / Σ denominator × multiplier``)
unless one is given; the limits are those of :mod:`icsys.assessment.compare` (Wilson score for
proportions, Byar's limits for crude rates), drawn as curves over the denominators' range. Each
area is a point, placed above or below the limits as :func:`funnel_position` says; a
highlighted area is drawn larger and labelled. Same accessibility and CSP rules as
:mod:`icsys.reports.spc_svg`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final, Literal

from icsys.assessment.compare import (
    FunnelLimits,
    funnel_position,
    proportion_funnel,
    rate_funnel,
)
from icsys.reports.mdc_icons import COMMON, COMMON_DARK, CONCERN, IMPROVEMENT, NEUTRAL
from icsys.reports.svg import AXIS, GRID, TEXT, fmt, hline, nice_ticks, open_svg, text, tick_labels

FunnelKind = Literal["proportion", "crude_rate"]
WIDTH: Final = 760
HEIGHT: Final = 360
LEFT, RIGHT, TOP, BOTTOM = 70, 44, 16, 84
_CURVE_STEPS: Final = 80
POSITION_WORDS: Final[dict[str, str]] = {
    "above_99.8": "above the 99.8% limit",
    "above_95": "above the 95% limit",
    "within_95": "within the 95% limits",
    "below_95": "below the 95% limit",
    "below_99.8": "below the 99.8% limit",
}


@dataclass(frozen=True)
class FunnelPoint:
    code: str
    label: str
    numerator: float
    denominator: float
    highlight: bool = False


@dataclass(frozen=True)
class FunnelFigure:
    """A funnel plot as SVG text, its comparator and one row per area (for the data table)."""

    svg: str
    comparator: float | None
    rows: list[dict[str, object]]


def funnel_limits(kind: FunnelKind, comparator: float, n: float, multiplier: float) -> FunnelLimits:
    if kind == "proportion":
        return proportion_funnel(comparator, n, multiplier=multiplier)
    return rate_funnel(comparator, n, multiplier=multiplier)


def funnel_figure(
    points: Sequence[FunnelPoint],
    *,
    kind: FunnelKind,
    multiplier: float,
    title: str,
    unit: str,
    chart_id: str,
    comparator: float | None = None,
    improvement: str = "neutral",
) -> FunnelFigure:
    """Draw the funnel plot of ``points`` (areas with a positive denominator are plotted).

    A point outside the 95 % limits is blue when it is on the side of improvement, orange on
    the side of concern, purple when the direction is neutral (as Making Data Count colours).
    """
    usable = [p for p in points if p.denominator > 0 and p.numerator >= 0]
    if comparator is None and usable:
        total = math.fsum(p.denominator for p in usable)
        comparator = math.fsum(p.numerator for p in usable) / total * multiplier
    rows: list[dict[str, object]] = []
    for p in sorted(usable, key=lambda q: q.denominator):
        value = p.numerator / p.denominator * multiplier
        limits = funnel_limits(kind, comparator or 0.0, p.denominator, multiplier)
        rows.append(
            {
                "code": p.code,
                "label": p.label,
                "value": value,
                "denominator": p.denominator,
                "lower_95": limits.lower_95,
                "upper_95": limits.upper_95,
                "lower_998": limits.lower_998,
                "upper_998": limits.upper_998,
                "position": funnel_position(value, limits),
                "highlight": p.highlight,
            }
        )
    for row in rows:
        row["colour"] = _colour(str(row["position"]), improvement)
    svg = _draw(
        rows,
        kind,
        multiplier,
        comparator,
        title=title,
        unit=unit,
        chart_id=chart_id,
        judged=improvement in {"increase", "decrease"},
    )
    return FunnelFigure(svg=svg, comparator=comparator, rows=rows)


def _colour(position: str, improvement: str) -> str:
    if position == "within_95":
        return COMMON
    if improvement not in {"increase", "decrease"}:
        return NEUTRAL
    high = position.startswith("above")
    return IMPROVEMENT if high == (improvement == "increase") else CONCERN


def _draw(
    rows: list[dict[str, object]],
    kind: FunnelKind,
    multiplier: float,
    comparator: float | None,
    *,
    title: str,
    unit: str,
    chart_id: str,
    judged: bool,
) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = open_svg(chart_id, WIDTH, HEIGHT, title, _describe(rows, comparator, unit, title))
    if not rows or comparator is None:
        parts += [text(LEFT, TOP + 40, "No areas with a denominator to plot."), "</svg>"]
        return "".join(parts)
    dens = [float(str(r["denominator"])) for r in rows]
    x_ticks = nice_ticks(0.0, max(dens) * 1.05)
    grid = [x_ticks[-1] * (k + 1) / _CURVE_STEPS for k in range(_CURVE_STEPS)]
    grid = [n for n in grid if n >= min(dens) * 0.5]
    curves = [funnel_limits(kind, comparator, n, multiplier) for n in grid]
    extent = [float(str(r["value"])) for r in rows] + [comparator]
    for c in curves[len(curves) // 4 :]:  # the narrow end; the wide end may run off the chart
        extent += [x for x in (c.lower_998, c.upper_998) if x is not None]
    y_ticks = nice_ticks(min(extent), max(extent))
    lo, hi = y_ticks[0], y_ticks[-1]

    def px(n: float) -> float:
        return LEFT + n / x_ticks[-1] * plot_w

    def py(v: float) -> float:
        return TOP + plot_h - (min(max(v, lo), hi) - lo) / (hi - lo) * plot_h

    for tick, label in zip(y_ticks, tick_labels(y_ticks, unit), strict=True):
        parts.append(hline(LEFT, WIDTH - RIGHT, py(tick), stroke=GRID, width=1))
        parts.append(text(LEFT - 8, py(tick) + 4, label, anchor="end", size=12))
    parts += [
        text(px(t), TOP + plot_h + 18, label, anchor="middle", size=12)
        for t, label in zip(x_ticks, tick_labels(x_ticks), strict=True)
    ]
    parts.append(
        text(LEFT + plot_w / 2, TOP + plot_h + 38, "Denominator", anchor="middle", size=12)
    )
    parts.append(hline(px(grid[0]), px(grid[-1]), py(comparator), stroke=COMMON_DARK, width=2))
    for attr, dash in (("95", "6 4"), ("998", "2 3")):
        for side in ("lower", "upper"):
            parts.append(_curve(grid, curves, f"{side}_{attr}", dash, px, py))
    parts += _points(rows, px, py, unit)
    parts += _legend(judged=judged)
    parts.append("</svg>")
    return "".join(parts)


def _curve(
    grid: list[float],
    curves: list[FunnelLimits],
    attr: str,
    dash: str,
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> str:
    coords = [
        f"{px(n):.1f},{py(v):.1f}"
        for n, c in zip(grid, curves, strict=True)
        if (v := getattr(c, attr)) is not None
    ]
    return (
        f'<polyline class="funnel-{attr.replace("_", "-")}" points="{" ".join(coords)}" '
        f'fill="none" stroke="{COMMON_DARK}" stroke-width="1.5" stroke-dasharray="{dash}" />'
    )


def _points(
    rows: list[dict[str, object]],
    px: Callable[[float], float],
    py: Callable[[float], float],
    unit: str,
) -> list[str]:
    out: list[str] = []
    for row in rows:
        value, den = float(str(row["value"])), float(str(row["denominator"]))
        fill = str(row["colour"])
        big = bool(row["highlight"])
        words = (
            f"{row['label']}: {fmt(value, unit)}, denominator {fmt(den)}, "
            f"{POSITION_WORDS[str(row['position'])]}"
        )
        out.append(
            f'<circle class="funnel-point" data-code="{escape(str(row["code"]))}" '
            f'data-position="{row["position"]}" cx="{px(den):.1f}" cy="{py(value):.1f}" '
            f'r="{7 if big else 4.5}" fill="{fill}" stroke="{TEXT if big else COMMON_DARK}" '
            f'stroke-width="{2.5 if big else 1}"><title>{escape(words)}</title></circle>'
        )
        if big:
            right = px(den) > LEFT + (WIDTH - LEFT - RIGHT) * 0.6
            x = px(den) - 10 if right else px(den) + 10
            anchor = "end" if right else "start"
            out.append(
                text(x, py(value) - 8, str(row["label"]), size=12, weight="bold", anchor=anchor)
            )
    return out


def _legend(*, judged: bool) -> list[str]:
    y = HEIGHT - 16
    better, worse = (IMPROVEMENT, CONCERN) if judged else (NEUTRAL, NEUTRAL)
    return [
        hline(LEFT, LEFT + 18, y - 4, stroke=COMMON_DARK, width=2),
        text(LEFT + 24, y, "Comparator", size=12, fill=AXIS),
        hline(LEFT + 120, LEFT + 138, y - 4, stroke=COMMON_DARK, dash="6 4"),
        text(LEFT + 144, y, "95% limits", size=12, fill=AXIS),
        hline(LEFT + 240, LEFT + 258, y - 4, stroke=COMMON_DARK, dash="2 3"),
        text(LEFT + 264, y, "99.8% limits", size=12, fill=AXIS),
        f'<circle cx="{LEFT + 370}" cy="{y - 4}" r="5" fill="{better}" />',
        text(LEFT + 380, y, "Better" if judged else "Outside", size=12, fill=AXIS),
        f'<circle cx="{LEFT + 440}" cy="{y - 4}" r="5" fill="{worse}" />',
        text(LEFT + 450, y, "Worse" if judged else "95% limits", size=12, fill=AXIS),
        (
            f'<circle cx="{LEFT + 510}" cy="{y - 4}" r="6" fill="#ffffff" stroke="{TEXT}" '
            'stroke-width="2.5" />'
        ),
        text(LEFT + 522, y, "Selected area", size=12, fill=AXIS),
    ]


def _describe(
    rows: list[dict[str, object]], comparator: float | None, unit: str, title: str
) -> str:
    if not rows or comparator is None:
        return f"Funnel plot of {title}: no areas to plot."
    outside = sum(1 for r in rows if r["position"] != "within_95")
    chosen = [r for r in rows if r["highlight"]]
    lie = "area lies" if outside == 1 else "areas lie"
    text_ = (
        f"Funnel plot of {title}: {len(rows)} areas against their denominators, around "
        f"{fmt(comparator, unit)} with 95% and 99.8% control limits. {outside} {lie} "
        "outside the 95% limits."
    )
    for r in chosen:
        text_ += (
            f" {r['label']}: {fmt(float(str(r['value'])), unit)}, "
            f"{POSITION_WORDS[str(r['position'])]}."
        )
    return text_ + " The table has every value."
