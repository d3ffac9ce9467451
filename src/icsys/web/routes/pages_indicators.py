"""Indicator pages: the catalogue, one indicator for an area, its CSV, and the headline panel.

Numbers come from :mod:`icsys.web.services.indicators` (the public view unless the caller is the
area's analyst); the page assembles the SPC chart, the funnel plot of systems and the tables
(:mod:`icsys.web.services.indicator_page`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd  # type: ignore[import-untyped]
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from icsys.assessment.peers import PeerModel
from icsys.domain.levels import Level
from icsys.errors import NotFoundError
from icsys.web import deps
from icsys.web import schemas as s
from icsys.web.auth import Principal
from icsys.web.routes.api_assessment import assessments
from icsys.web.services import indicator_page as ip
from icsys.web.services import indicator_views as views
from icsys.web.services.indicator_views import Facts
from icsys.web.services.indicators import (
    SORT_COLUMNS,
    IndicatorData,
    RowQuery,
    Run,
    clean,
    data_of,
    latest,
    rows,
)
from icsys.web.services.structure import Register
from icsys.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(deps.principal)])

IndicatorId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,63}$")]
AreaQ = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PeriodType = Literal["month", "quarter", "financial_year"]
_NAMED_LEVELS = (Level.NHS_REGION, Level.SYSTEM, Level.SUB_ICB, Level.PLACE, Level.PCN, Level.TRUST)
_CHILD_LEVELS = ("trust", "place", "sub_icb", "pcn")


def indicator_data(request: Request) -> IndicatorData:
    return data_of(request.app.state, deps.settings(request))


def area_names(register: Register, run: Run) -> dict[str, str | None]:
    """Names of the run's areas, from the register as at the run's structure date."""
    snap = register.snapshot(date.fromisoformat(str(run.manifest.get("as_of"))))
    names: dict[str, str | None] = {ip.ENGLAND: "England"}
    for level in _NAMED_LEVELS:
        names |= {r.code: r.name for r in snap.rows(level)}
    return names


@router.get("/indicators", response_class=HTMLResponse)
def catalogue_page(
    request: Request, data: Annotated[IndicatorData, Depends(indicator_data)]
) -> HTMLResponse:
    run = data.current()
    items = views.catalogue(run)
    domains: dict[str, list[Any]] = {}
    for item in items:
        domains.setdefault(item.domain_label, []).append(item)
    return render(request, "indicators.jinja", {"domains": domains, "run": run})


@router.get("/indicators/{indicator_id}.csv")
def indicator_csv(
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    data: Annotated[IndicatorData, Depends(indicator_data)],
    who: Annotated[Principal, Depends(deps.principal)],
    indicator_id: IndicatorId,
    area: AreaQ = None,
) -> Response:
    """Every value of the indicator (for one area, or all) as the caller may see them."""
    views.facts(indicator_id)
    run = data.current()
    items: list[s.IndicatorValue] = []
    if run is not None and indicator_id in run.indicators:
        frame = rows(run, engine, who, RowQuery(indicator_id, areas=(area,) if area else None))
        items = views.values(frame.sort_values(SORT_COLUMNS), area_names(register, run))
    return values_csv(items, f"{indicator_id}-{area or 'all'}")


def values_csv(items: list[s.IndicatorValue], filename: str) -> Response:
    """Values as a CSV download (a header alone when there are none)."""
    if items:
        return deps.csv_response(items, filename)
    return Response(
        ",".join(s.IndicatorValue.model_fields) + "\n",
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
    )


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse)
def indicator_page(
    request: Request,
    engine: Annotated[Engine, Depends(deps.engine)],
    register: Annotated[Register, Depends(deps.register)],
    data: Annotated[IndicatorData, Depends(indicator_data)],
    who: Annotated[Principal, Depends(deps.principal)],
    indicator_id: IndicatorId,
    area: AreaQ = None,
    period_type: Annotated[PeriodType | None, Query()] = None,
    funnel: Annotated[Literal["all", "peers"], Query()] = "all",
) -> HTMLResponse:
    f = views.facts(indicator_id)
    run = data.current()
    context: dict[str, Any] = {
        "definition": views.definition(indicator_id, run),
        "facts": f,
        "run": run,
        "has_values": run is not None and indicator_id in run.indicators,
    }
    if run is not None and context["has_values"]:
        peers = _peers(request, run) if funnel == "peers" or area else None
        context |= _values_context(run, engine, register, who, f, area, period_type)
        context |= _level_tables(run, engine, who, f, context, peers, only_peers=funnel == "peers")
        context["funnel_mode"] = funnel
    return render(request, "indicator.jinja", context)


def _peers(request: Request, run: Run) -> PeerModel | None:
    """The peer model of the systems as at the run's structure date (None if it cannot be made)."""
    try:
        return assessments(request).peers(date.fromisoformat(str(run.manifest.get("as_of"))))
    except ValueError:  # fewer than two systems, or a bad date
        return None


def _default_area(run: Run, f: Facts) -> str:
    levels = run.level_of()
    frame = rows_public_areas(run, f.id)
    if ip.ENGLAND in frame:
        return ip.ENGLAND
    systems = sorted(c for c in frame if levels.get(c) == "system")
    if systems:
        return systems[0]
    if not frame:
        raise NotFoundError(f"no values of {f.id!r} in the current run")
    return min(frame)


def rows_public_areas(run: Run, indicator_id: str) -> set[str]:
    table = run.view("public")[indicator_id]
    return {str(x) for x in table.column("area_code").unique().cast("string").to_pylist()}


def _values_context(
    run: Run,
    engine: Engine,
    register: Register,
    who: Principal,
    f: Facts,
    area: str | None,
    period_type: str | None,
) -> dict[str, Any]:
    names = area_names(register, run)
    levels = run.level_of()
    systems = run.system_of()
    area = area or _default_area(run, f)
    if area not in levels:
        raise NotFoundError(f"no area {area!r} in the indicator values")
    area_name = names.get(area) or area
    mine = rows(run, engine, who, RowQuery(f.id, areas=(area,)))
    totals = mine[(mine["breakdown"] == "all") & (mine["category"].fillna("") == "")]
    kinds = [k for k in views.PERIOD_PREFERENCE if k in set(totals["period_type"])]
    pt = period_type if period_type in kinds else views.preferred_period(totals)
    out: dict[str, Any] = {
        "area": area,
        "area_name": area_name,
        "area_level": levels.get(area),
        "area_system": systems.get(area),
        "period_types": [(k, views.PERIOD_LABELS[k]) for k in kinds],
        "period_type": pt,
        "choices": ip.area_choices(names, levels, []),
        "controlled": not (mine["disclosure"] == "unsuppressed").any(),
    }
    current = latest(totals[totals["period_type"] == pt]) if pt else totals.iloc[0:0]
    if not current.empty:
        row = current.iloc[0]
        out["latest"] = {
            "period": row["period"],
            "value": ip.show(row["value"], f.unit, row["disclosure"]),
            "limits": ip.limits(row["lower"], row["upper"]),
        }
    figure = views.spc_of(f, mine, title=f"{f.title}, {area_name}", chart_id="spc")
    if figure is not None:
        out["spc"] = ip.spc_chart(figure, f"{f.title}, {area_name}", f.unit, "spc")
        out["variation_icon"] = ip.icon(figure.variation_icon, 56)
        out["variation_words"] = ip.icon_words(figure.variation_icon)
        out["assurance_icon"] = ip.icon(figure.assurance_icon, 56)
        out["assurance_words"] = ip.icon_words(figure.assurance_icon)
    out["names"] = names
    breakdown_pt = pt if pt != "month" else views.preferred_period(mine[mine["breakdown"] != "all"])
    if breakdown_pt:
        part = mine[mine["period_type"] == breakdown_pt]
        out["breakdowns"] = ip.by_breakdown(part, f, area_name)
    return out


def _level_tables(
    run: Run,
    engine: Engine,
    who: Principal,
    f: Facts,
    context: dict[str, Any],
    model: PeerModel | None,
    *,
    only_peers: bool,
) -> dict[str, Any]:
    """Values by level, and the funnel plot of systems (or of the area's system's peers)."""
    pt, system, names = context.get("period_type"), context.get("area_system"), context["names"]
    if not pt:
        return {}
    top = rows(run, engine, who, _totals(f.id, ("england", "region", "system"), pt))
    top = latest(top)
    if top.empty:
        return {}
    period = str(top["period"].iloc[0])
    frames = [top]
    if system:
        below = rows(run, engine, who, _totals(f.id, _CHILD_LEVELS, pt))
        below = below[(below["system_code"] == system) & (below["period"] == period)]
        frames.append(below)
    frame = pd.concat(frames, ignore_index=True)
    england = top[top["level"] == "england"]
    comparator = None if england.empty else clean(england["value"].iloc[0])
    systems = top[top["level"] == "system"]
    peers: list[str] = []
    if model is not None and system in model.systems:
        peers = [p.code for p in model.peers(system)]
    title = f"{f.title}: systems, {period}"
    if only_peers and peers:
        systems = systems[systems["area_code"].isin([system, *peers])]
        title = f"{f.title}: {names.get(system) or system} and its peers, {period}"
    funnel = ip.funnel_chart(
        systems, f, names, highlight=system, comparator=comparator, title=title
    )
    return {
        "level_period": period,
        "level_tables": ip.by_level(frame, f, names, period),
        "funnel": funnel,
        "funnel_comparator": "England" if comparator is not None else "all systems pooled",
        "has_peers": bool(peers),
        "only_peers": only_peers and bool(peers),
    }


def _totals(indicator_id: str, levels: tuple[str, ...], pt: str) -> RowQuery:
    return RowQuery(indicator_id, levels=levels, period_type=pt, breakdown="all", category="")


def headline_panel(request: Request, area: str, *, charts: bool = False) -> dict[str, Any] | None:
    """The headline indicators of an area for the England, system, place and neighbourhood
    pages (``None`` when no indicators have been computed); with ``charts``, each headline's SPC
    chart too (the system page)."""
    run = indicator_data(request).current()
    if run is None:
        return None
    who = deps.principal(request)
    found = views.headlines_with_charts(run, deps.engine(request), who, area)
    items = []
    for h, figure in found:
        unit = h.unit
        gap = None
        if h.gap_label:
            gap = f"{h.gap_label}: {ip.show(h.gap_value, h.gap_unit or '')} ({h.gap_period})"
        items.append(
            {
                "id": h.indicator_id,
                "title": h.title,
                "href": f"/indicators/{h.indicator_id}?area={area}",
                "value": ip.show(h.value, unit, "primary" if h.value is None else ""),
                "limits": ip.limits(h.lower, h.upper),
                "period": h.period,
                "variation_icon": ip.icon(h.variation_icon, 40),
                "variation_words": ip.icon_words(h.variation_icon),
                "gap": gap,
                "chart": ip.spc_chart(figure, h.title, unit, f"spc-{h.indicator_id}")
                if charts and figure is not None
                else None,
            }
        )
    return {
        "area": area,
        "items": items,
        "controlled": all(h.controlled for h, _ in found),
    }
