"""Server-rendered SPC (XmR) charts in the Making Data Count style, for the portal and board packs.

:func:`spc_figure` runs :func:`icsys.analytics.methods.spc.xmr_chart` with the mart's preset
(:data:`icsys.analytics.finish.SPC_RULES`) on the periods that have a value and draws:

* the values as a grey line, broken where a period has no value (a gap, never a zero);
* each point coloured by its point type: special cause improvement blue, concern orange,
  neutral purple, common cause grey (with a darker outline, and named in the point's
  ``<title>`` and in the rows, so colour is not the only cue);
* the mean (solid) and the process limits (dashed), and the target when one is given;
* a legend, a ``<title>``/``<desc>`` text alternative and ``role="img"``.

The figure also carries the variation and assurance icon names, the rules' name and one row per
period (``period, value, mean, lower, upper, point_type``) for the data-table alternative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final, cast

from icsys.analytics.finish import SPC_RULES
from icsys.analytics.methods.spc import SpcChart, xmr_chart
from icsys.analytics.methods.spc_rules import Direction
from icsys.reports.mdc_icons import (
    COMMON,
    COMMON_DARK,
    CONCERN,
    CONCERN_DARK,
    IMPROVEMENT,
    IMPROVEMENT_DARK,
    NEUTRAL,
    TARGET,
    icon_label,
    icon_svg,
)
from icsys.reports.svg import AXIS, GRID, fmt, hline, nice_ticks, open_svg, text, tick_labels

__all__ = ["POINT_COLOURS", "SpcFigure", "icon_label", "icon_svg", "spc_figure"]

WIDTH: Final = 760
HEIGHT: Final = 340
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 16, 78
POINT_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "special_cause_improvement": (IMPROVEMENT, IMPROVEMENT_DARK),
    "special_cause_concern": (CONCERN, CONCERN_DARK),
    "special_cause_neutral_high": (NEUTRAL, NEUTRAL),
    "special_cause_neutral_low": (NEUTRAL, NEUTRAL),
    "common_cause": (COMMON, COMMON_DARK),
    "not_assessed": (COMMON, COMMON_DARK),
}
"""Fill and outline of a point by its type."""
POINT_WORDS: Final[dict[str, str]] = {
    "special_cause_improvement": "special cause – improvement",
    "special_cause_concern": "special cause – concern",
    "special_cause_neutral_high": "special cause – high",
    "special_cause_neutral_low": "special cause – low",
    "common_cause": "common cause",
    "not_assessed": "not assessed",
}


@dataclass(frozen=True)
class SpcFigure:
    """An SPC chart as SVG text, its icons (names), rules and per-period rows."""

    svg: str
    variation_icon: str | None
    assurance_icon: str | None
    rules: str
    rows: list[dict[str, object]]


def spc_figure(
    periods: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    unit: str,
    improvement: str,
    chart_id: str,
    target: float | None = None,
) -> SpcFigure:
    """Draw the XmR chart of ``values`` (one per period, ``None`` for no value).

    Fewer than two values give a chart of the points alone, with no limits and no icons.

    Raises:
        ValueError: when periods and values differ in length or ``improvement`` is not
            ``increase``, ``decrease`` or ``neutral``.
    """
    if len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods but {len(values)} values")
    if improvement not in {"increase", "decrease", "neutral"}:
        raise ValueError(f"improvement must be increase, decrease or neutral, not {improvement!r}")
    present = [i for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    chart = None
    if len(present) >= 2:
        chart = xmr_chart(
            [float(cast("float", values[i])) for i in present],
            rules=SPC_RULES,
            improvement_direction=cast("Direction", improvement),
            target=target,
        )
    rows = _rows(periods, values, present, chart)
    svg = _draw(rows, chart, title=title, unit=unit, chart_id=chart_id, target=target)
    return SpcFigure(
        svg=svg,
        variation_icon=chart.variation_icon if chart else None,
        assurance_icon=chart.assurance_icon if chart else None,
        rules=SPC_RULES.name,
        rows=rows,
    )


def _rows(
    periods: Sequence[str],
    values: Sequence[float | None],
    present: list[int],
    chart: SpcChart | None,
) -> list[dict[str, object]]:
    by_index = {}
    if chart is not None:
        by_index = {i: chart.points[k] for k, i in enumerate(present)}
    rows: list[dict[str, object]] = []
    for i, period in enumerate(periods):
        point = by_index.get(i)
        value = float(cast("float", values[i])) if i in present else None
        rows.append(
            {
                "period": period,
                "value": value,
                "mean": point.mean if point else None,
                "lower": point.lpl if point else None,
                "upper": point.upl if point else None,
                "point_type": point.point_type if point else None,
            }
        )
    return rows


def _draw(
    rows: list[dict[str, object]],
    chart: SpcChart | None,
    *,
    title: str,
    unit: str,
    chart_id: str,
    target: float | None,
) -> str:
    n = max(len(rows), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [cast("float", r["value"]) for r in rows if r["value"] is not None]
    last = chart.points[-1] if chart else None
    extent = [*known, *(x for x in (target,) if x is not None)]
    if last is not None:
        extent += [x for x in (last.lpl, last.upl) if x is not None]
    ticks = nice_ticks(min(extent, default=0.0), max(extent, default=1.0))
    low, high = ticks[0], ticks[-1]

    def px(i: int) -> float:
        return LEFT + (i + 0.5) * plot_w / n

    def py(v: float) -> float:
        return TOP + plot_h - (v - low) / (high - low) * plot_h

    parts = open_svg(chart_id, WIDTH, HEIGHT, title, _describe(rows, chart, unit, title))
    parts += _axes(rows, ticks, px, py, unit)
    if chart is not None and last is not None and known:
        first_x, last_x = px(0), px(len(rows) - 1)
        if last.upl is not None and last.lpl is not None:
            for limit in (last.upl, last.lpl):
                parts.append(
                    hline(
                        first_x, last_x, py(limit), stroke=COMMON_DARK, dash="6 4", cls="spc-limit"
                    )
                )
        if last.mean is not None:
            parts.append(
                hline(first_x, last_x, py(last.mean), stroke=COMMON_DARK, width=2, cls="spc-mean")
            )
    if target is not None:
        parts.append(
            hline(px(0), px(len(rows) - 1), py(target), stroke=TARGET, dash="2 3", cls="spc-target")
        )
    parts += _series(rows, px, py, unit)
    parts += _legend(target is not None, chart is not None)
    parts.append("</svg>")
    return "".join(parts)


def _axes(
    rows: list[dict[str, object]],
    ticks: list[float],
    px: Callable[[int], float],
    py: Callable[[float], float],
    unit: str,
) -> list[str]:
    out: list[str] = []
    for tick, label in zip(ticks, tick_labels(ticks, unit), strict=True):
        out.append(hline(LEFT, WIDTH - RIGHT, py(tick), stroke=GRID, width=1))
        out.append(text(LEFT - 8, py(tick) + 4, label, anchor="end", size=12))
    step = max(1, math.ceil(len(rows) / 8))
    bottom = HEIGHT - BOTTOM + 18
    out += [
        text(px(i), bottom, str(rows[i]["period"]), anchor="middle", size=12)
        for i in range(0, len(rows), step)
    ]
    return out


def _series(
    rows: list[dict[str, object]],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    unit: str,
) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    ended: list[dict[str, object]] = [*rows, {"value": None}]
    for i, row in enumerate(ended):
        if row["value"] is None:
            if len(run) > 1:
                out.append(
                    f'<polyline class="spc-line" points="{" ".join(run)}" fill="none" '
                    f'stroke="{COMMON}" stroke-width="1.5" />'
                )
            run = []
            continue
        run.append(f"{x_of(i):.1f},{y_of(cast('float', row['value'])):.1f}")
    for i, row in enumerate(rows):
        if row["value"] is None:
            continue
        kind = str(row["point_type"] or "not_assessed")
        fill, outline = POINT_COLOURS[kind]
        radius = 4 if kind in {"common_cause", "not_assessed"} else 5.5
        value = cast("float", row["value"])
        words = f"{row['period']}: {fmt(value, unit)} ({POINT_WORDS[kind]})"
        out.append(
            f'<circle class="spc-point" data-period="{escape(str(row["period"]))}" '
            f'data-point-type="{kind}" '
            f'cx="{x_of(i):.1f}" cy="{y_of(cast("float", row["value"])):.1f}" r="{radius}" '
            f'fill="{fill}" stroke="{outline}" stroke-width="1"><title>{escape(words)}</title>'
            f"</circle>"
        )
    return out


def _legend(has_target: bool, has_limits: bool) -> list[str]:
    y = HEIGHT - 22
    items: list[tuple[str, str]] = [
        ("dot:" + IMPROVEMENT, "Improvement"),
        ("dot:" + CONCERN, "Concern"),
        ("dot:" + COMMON, "Common cause"),
    ]
    if has_limits:
        items += [("line:", "Mean"), ("dash:", "Process limits")]
    if has_target:
        items.append(("target:", "Target"))
    out: list[str] = []
    x = float(LEFT)
    for key, label in items:
        kind, colour = key.split(":")
        if kind == "dot":
            out.append(f'<circle cx="{x + 6:.1f}" cy="{y - 4}" r="5" fill="{colour}" />')
        else:
            stroke = TARGET if kind == "target" else COMMON_DARK
            dash = {"dash": "6 4", "target": "2 3"}.get(kind)
            out.append(hline(x, x + 18, y - 4, stroke=stroke, dash=dash))
        out.append(text(x + 24, y, label, size=12, fill=AXIS))
        x += 24 + 7.2 * len(label) + 18
    return out


def _describe(rows: list[dict[str, object]], chart: SpcChart | None, unit: str, title: str) -> str:
    known = [r for r in rows if r["value"] is not None]
    if not known:
        return f"{title}: no values to chart."
    first, latest = known[0], known[-1]
    parts = [
        (
            f"Statistical process control chart of {title}: {len(known)} of {len(rows)} periods "
            f"have a value, from {first['period']} to {latest['period']}."
        ),
    ]
    if chart is not None:
        point = chart.points[-1]
        special = sum(
            1 for p in chart.points if p.point_type not in {"common_cause", "not_assessed"}
        )
        parts.append(
            f"Mean {fmt(point.mean, unit)}, process limits {fmt(point.lpl, unit)} to "
            f"{fmt(point.upl, unit)}. {special} points show special cause variation."
        )
        if chart.variation_icon:
            parts.append(f"Latest: {icon_label(chart.variation_icon)}.")
        if chart.assurance_icon:
            parts.append(f"{icon_label(chart.assurance_icon)}.")
    parts.append(
        f"Latest value {fmt(cast('float', latest['value']), unit)} ({latest['period']}). "
        "The table has every value."
    )
    return " ".join(parts)
