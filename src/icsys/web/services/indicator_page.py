"""The indicator page, assembled: an area's values, SPC chart, funnel plot and tables.

Tables are built here as :class:`icsys.web.charts.Table` (rendered by ``macros.jinja``'s
``data_table``) with every number formatted and every suppressed cell saying so, so templates
stay free of logic. Charts come from :mod:`icsys.reports` (the board pack draws the same ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from markupsafe import Markup

from icsys.reports.funnel_svg import POSITION_WORDS, FunnelPoint, funnel_figure
from icsys.reports.mdc_icons import icon_label, icon_svg
from icsys.reports.spc_svg import POINT_WORDS, SpcFigure
from icsys.reports.svg import fmt
from icsys.web.charts import Chart, Table
from icsys.web.services.indicator_views import (
    BREAKDOWN_LABELS,
    LEVEL_LABELS,
    LEVEL_ORDER,
    Facts,
)
from icsys.web.services.indicators import clean, latest, records

ENGLAND = "E92000001"
FUNNEL_KINDS = {"proportion": "proportion", "crude_rate": "crude_rate"}
SUPPRESSED = {"primary", "secondary"}


def show(value: Any, unit: str = "", disclosure: str | None = "") -> str:
    """A value as a table shows it: ``suppressed`` when disclosure control removed it."""
    value = clean(value)
    if value is None:
        return "suppressed" if disclosure in SUPPRESSED else "no data"
    return fmt(float(value), unit)


def limits(lower: Any, upper: Any) -> str:
    lo, hi = clean(lower), clean(upper)
    if lo is None or hi is None:
        return "–"
    return f"{fmt(float(lo))} to {fmt(float(hi))}"


def count(value: Any, disclosure: str | None) -> str:
    value = clean(value)
    if value is None:
        return "suppressed" if disclosure in SUPPRESSED else "–"
    return f"{float(value):,.0f}"


def icon(name: str | None, size: int = 40) -> Markup:
    return Markup(icon_svg(name, size=size)) if name else Markup()  # noqa: S704 - our own SVG


def icon_words(name: str | None) -> str:
    return icon_label(name) if name else ""


@dataclass
class Section:
    """A heading with its tables (one per level or breakdown)."""

    title: str
    tables: list[Table] = field(default_factory=list)


def value_table(
    caption: str,
    frame: pd.DataFrame,
    label: Any,
    unit: str,
    *,
    first: str = "Area",
) -> Table:
    """One row per record: its label, value, 95% limits, numerator, denominator."""
    rows = [
        [
            str(label(r)),
            show(r["value"], unit, r["disclosure"]),
            limits(r["lower"], r["upper"]),
            count(r["numerator"], r["disclosure"]),
            count(r["denominator"], r["disclosure"]),
        ]
        for r in records(frame)
    ]
    head = [first, f"Value ({unit})" if unit else "Value", "95% limits", "Numerator", "Denominator"]
    return Table(caption, head, rows, [False, True, True, True, True])


def by_level(
    frame: pd.DataFrame,
    f: Facts,
    names: dict[str, str | None],
    period: str,
) -> list[Table]:
    """Tables of the latest ``period`` rows (breakdown all, no category), one per level."""
    tables = []
    for level in LEVEL_ORDER:
        part = frame[frame["level"] == level]
        if part.empty:
            continue
        part = part.sort_values("area_code")
        tables.append(
            value_table(
                f"{LEVEL_LABELS[level]}, {period}",
                part,
                lambda r: names.get(r["area_code"]) or r["area_code"],
                f.unit,
                first="Area" if level == "england" else LEVEL_LABELS[level].split(" (")[0][:-1],
            )
        )
    return tables


def by_breakdown(frame: pd.DataFrame, f: Facts, area_name: str) -> list[Table]:
    """Tables of one area's latest period by each breakdown (and by category)."""
    tables = []
    for breakdown in f.breakdowns:
        part = latest(frame[frame["breakdown"] == breakdown])
        if part.empty:
            continue
        part = part.assign(_order=part["breakdown_value"].map(_natural))
        part = part.sort_values(["category", "_order"])
        period = str(part["period"].iloc[0])
        tables.append(
            value_table(
                f"{area_name} by {BREAKDOWN_LABELS.get(breakdown, breakdown)}, {period}",
                part,
                lambda r: (
                    (f"{r['category']}: " if r["category"] else "") + str(r["breakdown_value"])
                ),
                f.unit,
                first=_capital(BREAKDOWN_LABELS.get(breakdown, breakdown).split(" (")[0]),
            )
        )
    cats = latest(frame[(frame["breakdown"] == "all") & (frame["category"].fillna("") != "")])
    if not cats.empty:
        period = str(cats["period"].iloc[0])
        tables.append(
            value_table(
                f"{area_name} by category, {period}",
                cats.sort_values("category"),
                lambda r: r["category"],
                f.unit,
                first="Category",
            )
        )
    return tables


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _natural(value: Any) -> tuple[int, float, str]:
    """Sort key: numbers in numeric order (IMD deciles 1-10), then text."""
    text = str(value)
    head = text.split("-", maxsplit=1)[0].rstrip("+")
    try:
        return (0, float(head), text)
    except ValueError:
        return (1, 0.0, text)


def spc_chart(figure: SpcFigure, title: str, unit: str, chart_id: str) -> Chart:
    """The SPC chart with its table; numbers carry enough decimals to tell points apart."""
    spread = max(
        (
            float(str(r["upper"])) - float(str(r["lower"]))
            for r in figure.rows
            if r["upper"] is not None and r["lower"] is not None
        ),
        default=10.0,
    )
    digits = 2 if spread < 2 else 1

    def num(value: object) -> str:
        if value is None:
            return "–"
        text = f"{float(str(value)):,.{digits}f}"
        return f"{text}{unit}" if unit in {"", "%"} else f"{text} {unit}"

    rows = [
        [
            str(r["period"]),
            "no value" if r["value"] is None else num(r["value"]),
            num(r["mean"]),
            "–" if r["lower"] is None else f"{num(r['lower'])} to {num(r['upper'])}",
            POINT_WORDS.get(str(r["point_type"]), "–") if r["point_type"] else "–",
        ]
        for r in figure.rows
    ]
    table = Table(
        title,
        ["Period", "Value", "Mean", "Process limits", "Variation"],
        rows,
        [False, True, True, True, False],
    )
    desc = f"{title}. Rules: {figure.rules}."
    return Chart(chart_id, title, desc, Markup(figure.svg), table)  # noqa: S704 - our own SVG


def funnel_chart(
    frame: pd.DataFrame,
    f: Facts,
    names: dict[str, str | None],
    *,
    highlight: str | None,
    comparator: float | None,
    title: str,
) -> Chart | None:
    """The funnel plot of the systems' latest values (proportions and crude rates only)."""
    kind = FUNNEL_KINDS.get(f.method)
    if kind is None or frame.empty:
        return None
    points = []
    for r in records(frame):
        value, den = r["value"], r["denominator"]
        if value is None or den is None or den <= 0:
            continue
        points.append(
            FunnelPoint(
                str(r["area_code"]),
                names.get(str(r["area_code"])) or str(r["area_code"]),
                float(value) * float(den) / f.multiplier,
                float(den),
                highlight=r["area_code"] == highlight,
            )
        )
    if len(points) < 2:
        return None
    figure = funnel_figure(
        points,
        kind=kind,  # type: ignore[arg-type]
        multiplier=f.multiplier,
        title=title,
        unit=f.unit,
        chart_id="funnel",
        comparator=comparator,
        improvement=f.improvement,
    )
    rows = [
        [
            str(r["label"]),
            fmt(float(str(r["value"])), f.unit),
            f"{float(str(r['denominator'])):,.0f}",
            limits(r["lower_95"], r["upper_95"]),
            limits(r["lower_998"], r["upper_998"]),
            POSITION_WORDS[str(r["position"])],
        ]
        for r in figure.rows
    ]
    table = Table(
        title,
        ["System", "Value", "Denominator", "95% limits", "99.8% limits", "Position"],
        rows,
        [False, True, True, True, True, False],
    )
    desc = f"{title}: {len(rows)} systems against their denominators."
    return Chart("funnel", title, desc, Markup(figure.svg), table)  # noqa: S704 - our own SVG


def area_choices(
    names: dict[str, str | None], levels: dict[str, str], systems: Sequence[str]
) -> list[tuple[str, str]]:
    """(code, label) of England, the regions and the systems, for the area selector."""
    out = [(ENGLAND, "England")] if ENGLAND in levels else []
    for level in ("region", "system"):
        codes = sorted(
            (c for c, lv in levels.items() if lv == level), key=lambda c: names.get(c) or c
        )
        out += [(c, f"{names.get(c) or c}") for c in codes]
    extra = [c for c in systems if c not in {x for x, _ in out}]
    out += [(c, names.get(c) or c) for c in extra]
    return out
