"""The indicator service: list the library, compute it into the mart, and show results.

The CLI (``icsys indicators``), the demo, the portal and the assessment read indicators only
through these functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import duckdb
import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import Engine

from icsys.analytics import mart
from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.engines.base import FEEDS, IbisEngine, input_files
from icsys.analytics.engines.base import Engine as IndicatorEngine
from icsys.analytics.families import build_plan
from icsys.analytics.finish import MART_COLUMNS, SPC_RULES, finish, spc_period_type
from icsys.analytics.methods.spc import xmr_chart
from icsys.analytics.periods import Period, periods_ending
from icsys.analytics.post import default_workers, parts
from icsys.analytics.public import DisclosurePolicy, public_view
from icsys.analytics.sources import SOURCES
from icsys.analytics.structure import build_structure
from icsys.config import Settings
from icsys.errors import NotFoundError, UserError
from icsys.feeds.lake import committed_files

EngineName = Literal["duckdb", "spark"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ComputeResult:
    run_id: str
    rows: int
    indicators: int
    engine: str
    as_of: date
    period_end: date
    seconds: dict[str, float] = field(default_factory=dict)


def list_indicators(library: Library | None = None) -> list[dict[str, Any]]:
    """One row per indicator (files and derived), for listings and the catalogue."""
    lib = library or load_library()
    rows: list[dict[str, Any]] = [
        {
            "id": i.id,
            "title": i.title,
            "domain": i.domain,
            "basis": i.basis,
            "method": i.method.value,
            "unit": i.unit,
            "periods": ", ".join(i.periods),
            "breakdowns": ", ".join(i.breakdowns),
            "category": i.category or "",
            "disclosure": i.disclosure.value,
        }
        for i in lib.indicators
    ]
    rows += [
        {
            "id": d.id,
            "title": d.title,
            "domain": d.domain,
            "basis": "derived",
            "method": d.method,
            "unit": d.unit,
            "periods": "as its inputs",
            "breakdowns": "",
            "category": "",
            "disclosure": "derived",
        }
        for d in lib.derived
    ]
    return rows


def make_engine(name: EngineName, *, spark_session: Any = None) -> IbisEngine:
    if name == "duckdb":
        from icsys.analytics.engines.duckdb_engine import DuckDBEngine  # noqa: PLC0415

        return DuckDBEngine()
    if name == "spark":
        try:
            from icsys.analytics.engines.spark_engine import SparkEngine  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - spark is an optional extra
            raise UserError("the Spark engine needs `pip install icsys[spark]` and Java") from exc
        return SparkEngine(spark_session)
    raise UserError(f"unknown engine {name!r}: use duckdb or spark")


def data_end(settings: Settings) -> date | None:
    """The latest event date in the lake's event feeds (None when nothing is loaded)."""
    latest: list[date] = []
    con = duckdb.connect()
    try:
        for src in SOURCES.values():
            if src.time != "events" or not src.feed or not src.event_date:
                continue
            files = committed_files(settings, src.feed)
            if not files:
                continue
            listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            row = con.execute(
                f'SELECT max(CAST("{src.event_date}" AS DATE)) FROM read_parquet([{listed}])'
            ).fetchone()
            if row and row[0] is not None:
                latest.append(row[0])
    finally:
        con.close()
    return max(latest) if latest else None


def compute_values(
    library: Library,
    engine: IndicatorEngine,
    lake: dict[str, list[Any]],
    structure: Any,
    periods: list[Period],
    *,
    timings: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The analyst rows of every indicator of ``library`` (no mart written)."""
    timings = timings if timings is not None else {}
    long = _aggregate(library, engine, lake, structure, periods, timings)
    start = time.perf_counter()
    values = finish(library, long, periods)
    derived = _derived(library, values)
    if not derived.empty:  # columns the derived rows leave empty stay as the values' dtypes
        values = _append(values, derived.dropna(axis=1, how="all"))
    timings["finish"] = time.perf_counter() - start
    return values


def _aggregate(
    library: Library,
    engine: IndicatorEngine,
    lake: dict[str, list[Any]],
    structure: Any,
    periods: list[Period],
    timings: dict[str, float],
) -> pd.DataFrame:
    start = time.perf_counter()
    with input_files(lake, structure, periods) as inputs:
        long = engine.aggregate(build_plan(library), inputs, standardise=True)
    timings["aggregate"] = time.perf_counter() - start
    return long


def _timed(
    families: Iterator[tuple[str, Any]], timings: dict[str, float]
) -> Generator[tuple[str, Any], None, None]:
    """``families`` with the time spent computing them added up in ``timings["aggregate"]``."""
    timings.setdefault("aggregate", 0.0)
    try:
        while True:
            start = time.perf_counter()
            try:
                item = next(families)
            except StopIteration:
                return
            finally:
                timings["aggregate"] += time.perf_counter() - start
            yield item
    finally:
        close = getattr(families, "close", None)
        if close is not None:
            close()


def _append(values: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """``values`` and ``more`` one after the other, keeping ``values``' categorical columns
    categorical (with ``more``'s new values added as categories)."""
    values = values.copy()
    more = more.copy()
    for name in more.columns:
        col = values[name] if name in values.columns else None
        if col is None or not isinstance(col.dtype, pd.CategoricalDtype):
            continue
        new = sorted(set(more[name].dropna().astype(str)) - set(col.cat.categories))
        values[name] = col.cat.add_categories(new) if new else col
        more[name] = pd.Categorical(more[name], categories=values[name].cat.categories)
    return pd.concat([values, more], ignore_index=True)


def _derived(library: Library, values: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for d in library.derived:
        rows = values[values["indicator_id"].isin(d.inputs)]
        texts = {c: object for c in rows.columns if isinstance(rows[c].dtype, pd.CategoricalDtype)}
        rows = rows.astype(texts)  # the extension point sees plain columns
        if "parent_code" in rows.columns:
            rows["parent_code"] = rows["parent_code"].where(rows["parent_code"].notna(), None)
        rows = d.compute(rows)
        if rows.empty:
            continue
        frames.append(rows.assign(indicator_id=d.id, method=d.method, spc_point_type=None))
    if not frames:
        return pd.DataFrame(columns=list(MART_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(MART_COLUMNS)]


def compute(
    settings: Settings,
    store: Engine,
    *,
    engine: EngineName = "duckdb",
    as_of: date | None = None,
    end: date | None = None,
    indicators: Iterable[str] | None = None,
    months: int = 24,
    quarters: int = 8,
    years: int = 3,
    spark_session: Any = None,
    policy: DisclosurePolicy | None = None,
    progress: Progress = lambda _m: None,
    workers: int | None = None,
) -> ComputeResult:
    """Compute the library into the mart.

    ``end``: the last day periods may reach (default: the latest event date in the lake);
    ``as_of``: the date of the structure every period is shown on (default: ``end``);
    ``workers``: processes finishing indicators as their families come out of the engine
    (default: one per CPU, at most :data:`icsys.analytics.post.MAX_WORKERS`). ``seconds`` of
    the result: ``structure``; ``aggregate``, the engine's time on the families; ``finish``,
    ``disclosure``, ``arrow`` and ``write`` summed over the workers (they overlap the
    aggregation and each other); ``total``, the wall time from the first family to the
    committed run.

    Raises:
        UserError: when nothing is loaded in the lake and no ``end`` is given.
    """
    timings: dict[str, float] = {}
    library = load_library().select(indicators)
    end = end or data_end(settings)
    if end is None:
        raise UserError("the lake is empty: load feeds first (`icsys feeds load`) or give --end")
    periods = periods_ending(end, months=months, quarters=quarters, years=years)
    if not periods:
        raise UserError(f"no complete period ends on or before {end}")
    period_end = max(p.end for p in periods)
    as_of = as_of or period_end
    progress(f"structure as at {as_of}")
    start = time.perf_counter()
    structure = build_structure(store, as_of)
    timings["structure"] = time.perf_counter() - start
    lake = {feed: committed_files(settings, feed) for feed in FEEDS}
    policy = policy or DisclosurePolicy()
    manifest = {
        "disclosure": {"threshold": policy.threshold, "rounding": policy.rounding},
        "definitions_version": library.version,
        "engine": engine,
        "as_of": as_of.isoformat(),
        "period_end": period_end.isoformat(),
        "periods": [p.period_id for p in periods],
        "indicators": list(library.ids),
        "lineage": mart.lineage(settings, list(FEEDS)),
    }
    workers = workers or default_workers()
    plan = build_plan(library)
    progress(
        f"computing {len(library.ids)} indicators on {engine}: {len(plan.families)} families, "
        f"each indicator finished as soon as its families are ({workers} "
        f"worker{'s' if workers > 1 else ''})"
    )
    wanted = {i for d in library.derived for i in d.inputs}
    inputs: list[tuple[str, pd.DataFrame]] = []
    start = time.perf_counter()
    counted = {"families": 0}

    def family_done(key: str, rows: int) -> None:
        counted["families"] += 1
        progress(f"family {counted['families']} of {len(plan.families)}: {key} ({rows:,} rows)")

    with (
        input_files(lake, structure, periods) as files,
        mart.MartWriter(settings, library.version) as writer,
    ):
        families = _timed(
            make_engine(engine, spark_session=spark_session).families(plan, files), timings
        )
        finished = parts(
            library,
            families,
            periods,
            policy,
            writer,
            keep=wanted,
            workers=workers,
            progress=family_done,
        )
        with closing(finished):  # the workers stop before an unfinished run is removed
            for done, part in enumerate(finished, 1):
                for step, seconds in part.seconds.items():
                    timings[step] = timings.get(step, 0.0) + seconds
                if part.frame is not None:
                    inputs.append((part.indicator_id, part.frame))
                progress(f"{done} of {len(library.indicators)} indicators: {part.indicator_id}")
        frames = [frame for _id, frame in sorted(inputs, key=lambda x: x[0])]  # as they finish
        derived = _derived(library, pd.concat(frames, ignore_index=True)) if frames else None
        if derived is not None and not derived.empty:
            writer.write(derived, public_view(derived, policy, library))
        run_id = writer.commit(manifest)
    timings["total"] = time.perf_counter() - start
    return ComputeResult(run_id, writer.rows, len(library.ids), engine, as_of, period_end, timings)


@dataclass(frozen=True)
class SpcSummary:
    period_type: str
    points: int
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    variation_icon: str | None
    latest_point_type: str | None
    rules: str


@dataclass(frozen=True)
class ShowResult:
    indicator_id: str
    title: str
    unit: str
    area_code: str
    rows: list[dict[str, Any]]
    spc: SpcSummary | None
    public: bool


def values(
    settings: Settings,
    *,
    indicator: str | None = None,
    area: str | None = None,
    public: bool = True,
) -> pd.DataFrame:
    """Rows of the current run: the disclosure-controlled public view unless ``public=False``
    (the analyst rows)."""
    filters: list[tuple[str, str, Any]] = []
    if indicator is not None:
        filters.append(("indicator_id", "=", indicator))
    if area is not None:
        filters.append(("area_code", "=", area))
    return mart.read_values(settings, filters, public=public)


def show(
    settings: Settings,
    indicator: str,
    *,
    area: str,
    breakdown: str = ALL,
    period_type: str | None = None,
    public: bool = True,
) -> ShowResult:
    """An indicator's values, limits and SPC summary for one area.

    Raises:
        NotFoundError: for an unknown indicator or an area without values.
    """
    library = load_library()
    if indicator not in library.ids:
        raise NotFoundError(f"no indicator {indicator!r} (try `icsys indicators list`)")
    frame = values(settings, indicator=indicator, area=area, public=public)
    if frame.empty:
        raise NotFoundError(f"no values of {indicator!r} for area {area!r} in the current run")
    frame = frame[frame["breakdown"] == breakdown]
    if frame.empty:
        raise NotFoundError(f"{indicator!r} has no {breakdown!r} breakdown")
    try:
        ind = library.get(indicator)
        title, unit, direction = ind.title, ind.unit, str(ind.improvement)
        kind = spc_period_type(ind.periods)
    except NotFoundError:
        d = next(x for x in library.derived if x.id == indicator)
        title, unit, direction, kind = d.title, d.unit, d.improvement, "financial_year"
    if period_type is not None:
        frame = frame[frame["period_type"] == period_type]
    frame = frame.sort_values(["level", "parent_code", "category", "period_type", "period_start"])
    rows = [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in frame[
            [
                "level",
                "parent_code",
                "breakdown_value",
                "category",
                "period",
                "value",
                "lower",
                "upper",
                "numerator",
                "denominator",
                "spc_point_type",
                "disclosure",
            ]
        ].to_dict("records")
    ]
    return ShowResult(
        indicator, title, unit, area, rows, _spc_summary(frame, kind, direction), public
    )


def _spc_summary(frame: pd.DataFrame, kind: str, direction: str) -> SpcSummary | None:
    series = frame[(frame["period_type"] == kind) & (frame["category"] == "")]
    if len(series["parent_code"].unique()) > 1:
        series = series[series["parent_code"] == series["parent_code"].iloc[0]]
    series = series.sort_values("period_start")
    vals = series["value"].astype(float)
    if len(vals) < 2 or vals.isna().any():
        return None
    chart = xmr_chart(vals.tolist(), rules=SPC_RULES, improvement_direction=direction)  # type: ignore[arg-type]
    last = chart.points[-1]
    return SpcSummary(
        kind,
        len(vals),
        last.mean,
        last.lpl,
        last.upl,
        chart.variation_icon,
        last.point_type,
        SPC_RULES.name,
    )


def headline(
    settings: Settings, system: str, indicators: Iterable[str], *, public: bool = True
) -> list[dict[str, Any]]:
    """The latest value of each indicator for one system (the demo's headline table)."""
    frame = values(settings, area=system, public=public)
    frame = frame[(frame["breakdown"] == ALL) & (frame["category"] == "")]
    rows = []
    library = load_library()
    titles = {i.id: (i.title, i.unit) for i in library.indicators}
    titles |= {d.id: (d.title, d.unit) for d in library.derived}
    for ind in indicators:
        part = frame[frame["indicator_id"] == ind]
        if part.empty:
            continue
        pick = "financial_year" if (part["period_type"] == "financial_year").any() else None
        part = part[part["period_type"] == pick] if pick else part
        latest = part.sort_values("period_end").iloc[-1]
        title, unit = titles.get(ind, (ind, ""))
        rows.append(
            {
                "indicator": title,
                "period": latest["period"],
                "value": _round(latest["value"]),
                "95% limits": _limits(latest["lower"], latest["upper"]),
                "unit": unit,
            }
        )
    return rows


def _round(x: Any) -> float | None:
    if x is None or pd.isna(x):
        return None
    return round(float(x), 1 if abs(float(x)) < 1000 else 0)


def _limits(lo: Any, hi: Any) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    return f"{_round(lo)}–{_round(hi)}"
