"""What the indicator pages and API show: the catalogue, definitions, values, headlines.

Every number comes through :func:`icsys.web.services.indicators.rows`, so it is the public view
unless the caller is the area's analyst (or an admin). Headlines are the latest value of the
preferred period type (financial year, else quarter, else month) with the Making Data Count
icons of the area's SPC series (:func:`icsys.reports.spc_svg.spc_figure`, on the values the
caller may see; a suppressed period is a gap) and an inequality gap: the slope index of
inequality where the library derives one, else Core20 minus the rest of the population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import Engine

from icsys.analytics.definitions.catalogue import DOMAINS
from icsys.analytics.definitions.derived import DerivedIndicator
from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.definitions.model import Indicator, Measure
from icsys.analytics.finish import spc_period_type
from icsys.errors import NotFoundError
from icsys.reports.spc_svg import SpcFigure, spc_figure
from icsys.web import schemas as s
from icsys.web.auth import Principal, Role
from icsys.web.services.indicators import RowQuery, Run, clean, latest, records, rows

HEADLINE_IDS = (
    "emergency_admissions_dsr",
    "mortality_under75_dsr",
    "ae_4hr_performance",
    "multimorbidity_2plus",
    "prevalence_diabetes",
    "outpatient_dna_rate",
)
PERIOD_PREFERENCE = ("financial_year", "quarter", "month")
LEVEL_ORDER = ("england", "region", "system", "trust", "place", "sub_icb", "pcn")
LEVEL_LABELS = {
    "england": "England",
    "region": "NHS regions",
    "system": "Systems (ICBs)",
    "trust": "NHS trusts",
    "place": "Places",
    "sub_icb": "Sub-ICB locations",
    "pcn": "Neighbourhoods (PCNs)",
}
BREAKDOWN_LABELS = {
    "sex": "sex",
    "age_band": "age band",
    "imd_quintile": "IMD quintile (1 = most deprived)",
    "imd_decile": "IMD decile (1 = most deprived)",
    "core20": "Core20 (most deprived 20% of England)",
    "ethnicity_group": "ethnic group",
}
PERIOD_LABELS = {"month": "Months", "quarter": "Quarters", "financial_year": "Financial years"}


@lru_cache(maxsize=1)
def library() -> Library:
    return load_library()


@dataclass(frozen=True)
class Facts:
    """What a page needs to know of one indicator, from its file or its derived definition."""

    id: str
    title: str
    unit: str
    improvement: str
    method: str
    multiplier: float
    periods: tuple[str, ...]
    breakdowns: tuple[str, ...]
    spc_period: str
    derived: DerivedIndicator | None
    indicator: Indicator | None


def facts(indicator_id: str) -> Facts:
    """Raises: NotFoundError for an indicator not in the library."""
    lib = library()
    for ind in lib.indicators:
        if ind.id == indicator_id:
            return Facts(ind.id, ind.title, ind.unit, ind.improvement, ind.method.value,
                         ind.multiplier, tuple(ind.periods), tuple(ind.breakdowns),
                         spc_period_type(ind.periods), None, ind)  # fmt: skip
    for d in lib.derived:
        if d.id == indicator_id:
            return Facts(d.id, d.title, d.unit, d.improvement, d.method, 1.0,
                         ("quarter", "financial_year"), (), "quarter", d, None)  # fmt: skip
    raise NotFoundError(f"no indicator {indicator_id!r} in the library")


def _measure_text(m: Measure | None) -> str | None:
    if m is None:
        return None
    if m.category_total:
        return "the total over the categories"
    conditions = []
    for f in m.where:
        op = f.operator
        wanted = getattr(f, "in_" if op == "in" else op)
        shown = ", ".join(map(str, wanted)) if isinstance(wanted, tuple) else wanted
        conditions.append(f"{f.field} {op} {shown}")
    what = {"rows": "rows", "persons": "people", "sum": "sum of " + ", ".join(m.columns)}[m.value]
    text = f"{what} in {m.source}"
    return text + (f" where {' and '.join(conditions)}" if conditions else "")


def _summary(f: Facts, run: Run | None) -> dict[str, Any]:
    ind = f.indicator
    domain = ind.domain if ind else (f.derived.domain if f.derived else "")
    return {
        "id": f.id,
        "title": f.title,
        "domain": domain,
        "domain_label": DOMAINS.get(domain, domain),
        "basis": ind.basis if ind else "derived",
        "method": f.method,
        "unit": f.unit,
        "improvement": f.improvement,
        "periods": list(f.periods),
        "breakdowns": list(f.breakdowns),
        "disclosure": ind.disclosure.value if ind else "derived",
        "has_values": run is not None and f.id in run.indicators,
    }


def catalogue(run: Run | None) -> list[s.IndicatorSummary]:
    return [s.IndicatorSummary(**_summary(facts(i), run)) for i in library().ids]


def definition(indicator_id: str, run: Run | None) -> s.IndicatorDefinition:
    f = facts(indicator_id)
    ind = f.indicator
    extra: dict[str, Any] = {
        "description": ind.description if ind else (f.derived.description if f.derived else ""),
        "numerator": _measure_text(ind.numerator) if ind else "derived from its inputs",
        "denominator": _measure_text(ind.denominator) if ind else None,
        "multiplier": f.multiplier,
        "standard_population": ind.standard_population if ind else None,
        "category": ind.category if ind else None,
        "sources": ind.sources if ind else "",
        "inputs": list(f.derived.inputs) if f.derived else [],
    }
    return s.IndicatorDefinition(**_summary(f, run), **extra)


def values(frame: pd.DataFrame, names: dict[str, str | None]) -> list[s.IndicatorValue]:
    fields = s.IndicatorValue.model_fields
    out = []
    for r in records(frame):
        r["area_name"] = names.get(str(r["area_code"]))
        r["category"] = r["category"] or ""
        r["disclosure"] = r["disclosure"] or ""
        out.append(s.IndicatorValue.model_validate({k: r.get(k) for k in fields}))
    return out


def preferred_period(frame: pd.DataFrame) -> str | None:
    present = set(frame["period_type"].unique())
    return next((p for p in PERIOD_PREFERENCE if p in present), None)


def spc_of(f: Facts, frame: pd.DataFrame, *, title: str, chart_id: str) -> SpcFigure | None:
    """The SPC chart of an area's total series (rows of one area) in the SPC period type."""
    series = frame[
        (frame["period_type"] == f.spc_period)
        & (frame["breakdown"] == "all")
        & (frame["category"].fillna("") == "")
    ].sort_values("period_start")
    if series.empty or f.improvement not in {"increase", "decrease", "neutral"}:
        return None
    series = series.drop_duplicates("period")
    return spc_figure(
        series["period"].tolist(),
        [clean(v) for v in series["value"].tolist()],
        title=title,
        unit=f.unit,
        improvement=f.improvement,
        chart_id=chart_id,
    )


@dataclass(frozen=True)
class Gap:
    label: str
    value: float | None
    unit: str
    period: str


def gap(run: Run, engine: Engine, who: Principal, f: Facts, area: str) -> Gap | None:
    """The SII of the indicator where the library derives one, else Core20 minus the rest."""
    sii = next((d for d in library().derived if f.id in d.inputs), None)
    if sii is not None and sii.id in run.indicators:
        frame = rows(run, engine, who, RowQuery(sii.id, areas=(area,), breakdown="all"))
        pick = preferred_period(frame) if not frame.empty else None
        last = latest(frame[frame["period_type"] == pick]) if pick else frame
        if not last.empty:
            row = last.iloc[0]
            label = "Slope index of inequality (IMD quintiles)"
            return Gap(label, clean(row["value"]), sii.unit, str(row["period"]))
    if "core20" not in f.breakdowns:
        return None
    frame = rows(run, engine, who, RowQuery(f.id, areas=(area,), breakdown="core20", category=""))
    pick = preferred_period(frame) if not frame.empty else None
    if pick is None:
        return None
    last = latest(frame[frame["period_type"] == pick])
    by = {r["breakdown_value"]: clean(r["value"]) for r in records(last)}
    core20, rest = by.get("Core20"), by.get("Other")
    value = None if core20 is None or rest is None else float(core20) - float(rest)
    return Gap("Core20 minus the rest", value, f.unit, str(last["period"].iloc[0]))


def headlines(
    run: Run, engine: Engine, who: Principal, area: str, ids: Sequence[str] = HEADLINE_IDS
) -> list[s.IndicatorHeadline]:
    """The headline indicators that have values for ``area``."""
    return [h for h, _ in headlines_with_charts(run, engine, who, area, ids)]


def headlines_with_charts(
    run: Run, engine: Engine, who: Principal, area: str, ids: Sequence[str] = HEADLINE_IDS
) -> list[tuple[s.IndicatorHeadline, SpcFigure | None]]:
    """The headline indicators that have values for ``area``, each with its SPC chart (made
    once per run for public viewers; an analyst's or admin's reads are made, and audited, each
    time)."""
    if who.role in {Role.ANALYST, Role.ADMIN}:
        return _headlines(run, engine, who, area, ids)
    return run.memo(
        ("headlines", area, tuple(ids)), lambda: _headlines(run, engine, who, area, ids)
    )


def _headlines(
    run: Run, engine: Engine, who: Principal, area: str, ids: Sequence[str]
) -> list[tuple[s.IndicatorHeadline, SpcFigure | None]]:
    out: list[tuple[s.IndicatorHeadline, SpcFigure | None]] = []
    for indicator_id in ids:
        if indicator_id not in run.indicators:
            continue
        f = facts(indicator_id)
        frame = rows(run, engine, who, RowQuery(indicator_id, areas=(area,), breakdown="all"))
        frame = frame[frame["category"].fillna("") == ""]
        pick = preferred_period(frame) if not frame.empty else None
        if pick is None:
            continue
        last = latest(frame[frame["period_type"] == pick]).iloc[0]
        figure = spc_of(f, frame, title=f.title, chart_id=f"spc-{indicator_id}")
        found = gap(run, engine, who, f, area)
        headline = s.IndicatorHeadline(
            indicator_id=indicator_id,
            title=f.title,
            unit=f.unit,
            improvement=f.improvement,
            area_code=area,
            period=str(last["period"]),
            value=clean(last["value"]),
            lower=clean(last["lower"]),
            upper=clean(last["upper"]),
            variation_icon=figure.variation_icon if figure else None,
            assurance_icon=figure.assurance_icon if figure else None,
            spc_period_type=f.spc_period if figure else None,
            gap_label=found.label if found else None,
            gap_value=found.value if found else None,
            gap_unit=found.unit if found else None,
            gap_period=found.period if found else None,
            controlled=(frame["disclosure"] != "unsuppressed").any(),
        )
        out.append((headline, figure))
    return out
