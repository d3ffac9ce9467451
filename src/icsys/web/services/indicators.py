"""Indicator values for the portal: the mart read once per run, and who may see which rows.

The current run of the ``indicator_values`` mart (:mod:`icsys.analytics.mart`) is read once per
process and run id into memory (Arrow tables with dictionary-encoded strings, split by
indicator) and kept until the manifest names another run. The **public view** (disclosure
controlled: counts from 1 to the threshold suppressed, complementary cells too, the rest
rounded) is what everyone sees, except that an analyst sees the analyst rows (no disclosure
control) of the areas of their own system, and an admin the analyst rows of every area
(:meth:`icsys.web.auth.Principal.sees_unsuppressed`). An area's system comes from the mart's
own hierarchy (a place, sub-ICB location or trust's parent; a PCN's sub-ICB's parent), so
England and the regions are always the public view for an analyst.

Every read of unsuppressed rows is audited: one ``access_audit`` row (resource
``indicator_values``, the actor's username and role, the indicator and area or level read, the
run id and the number of rows; :mod:`icsys.web.services.access_audit`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Engine

from icsys.analytics import mart
from icsys.config import Settings
from icsys.errors import NotFoundError
from icsys.web.auth import Principal
from icsys.web.services.access_audit import record_read

AUDIT_TABLE = "indicator_values"
_STRINGS = [f.name for f in mart.SCHEMA if f.type == pa.string()]
SORT_COLUMNS = [
    "level",
    "area_code",
    "period_type",
    "period_start",
    "breakdown",
    "breakdown_value",
    "category",
]
"""The order of rows in downloads and the API."""
_SYSTEM_PARENTS = {"place", "sub_icb", "trust"}
_TRIPLE = pa.schema([(c, pa.string()) for c in ("level", "area_code", "parent_code")])


T = TypeVar("T")
MAX_MEMO = 2048


@dataclass
class Run:
    """One run of the mart in memory: each view's rows split by indicator."""

    run_id: str
    manifest: dict[str, Any]
    directory: Path
    _views: dict[str, dict[str, Any]] = field(default_factory=dict)
    _systems: dict[str, str] | None = None
    _levels: dict[str, str] | None = None
    _pairs: set[tuple[str, str, str]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _memo: dict[tuple[object, ...], Any] = field(default_factory=dict)

    def memo(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """``make()`` once per run and key: for what is the same for every public viewer."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        found = make()
        with self._lock:
            if len(self._memo) >= MAX_MEMO:
                self._memo.clear()
            self._memo[key] = found
        return found

    def view(self, name: str) -> dict[str, Any]:
        """``{indicator_id: pyarrow.Table}`` of ``public`` or ``values`` (analyst rows)."""
        with self._lock:
            if name not in self._views:
                self._views[name] = _split(mart.view_path(self.directory, name))
            return self._views[name]

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(self.view("public"))

    def system_of(self) -> dict[str, str]:
        """Area code → the code of its system (areas at system level and below)."""
        if self._systems is None:
            pairs = self._areas()
            found = {a: a for lv, a, _ in pairs if lv == "system"}
            found |= {a: p for lv, a, p in pairs if lv in _SYSTEM_PARENTS and p}
            found |= {a: found[p] for lv, a, p in pairs if lv == "pcn" and p in found}
            self._systems = found
        return self._systems

    def level_of(self) -> dict[str, str]:
        """Area code → its level, for every area in the run."""
        if self._levels is None:
            self._levels = {a: lv for lv, a, _ in self._areas()}
        return self._levels

    def _areas(self) -> set[tuple[str, str, str]]:
        if self._pairs is None:
            pairs: set[tuple[str, str, str]] = set()
            for table in self.view("public").values():
                part = (
                    pa.Table.from_batches(
                        table.select(["level", "area_code", "parent_code"])
                        .cast(_TRIPLE)
                        .to_batches()
                    )
                    .to_pandas()
                    .drop_duplicates()
                )
                pairs |= set(part.itertuples(index=False, name=None))
            self._pairs = pairs
        return self._pairs


def _split(path: Path) -> dict[str, Any]:
    table = pq.read_table(path, read_dictionary=_STRINGS)
    ids = np.asarray(table.column("indicator_id").cast(pa.string()).to_numpy(zero_copy_only=False))
    order = np.argsort(ids, kind="stable")
    table = table.take(pa.array(order))
    ids = ids[order]
    names, starts = np.unique(ids, return_index=True)
    ends = [*starts[1:], len(ids)]
    return {
        str(n): table.slice(int(s), int(e - s)) for n, s, e in zip(names, starts, ends, strict=True)
    }


class IndicatorData:
    """The cache of one portal process (``app.state.indicators``): the current run, by run id."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._run: Run | None = None
        self._lock = threading.Lock()

    def current(self) -> Run | None:
        """The current run, or ``None`` when no indicators have been computed."""
        manifest = mart.read_current(self.settings, missing_ok=True)
        if manifest is None:
            return None
        run_id = str(manifest["run_id"])
        with self._lock:
            if self._run is None or self._run.run_id != run_id:
                directory = mart.mart_dir(self.settings) / f"run={run_id}"
                self._run = Run(run_id, manifest, directory)
            return self._run


_MAKE = threading.Lock()


def data_of(state: Any, settings: Settings) -> IndicatorData:
    """The app's indicator cache, made on first use."""
    found = getattr(state, "indicators", None)
    if not isinstance(found, IndicatorData):
        with _MAKE:
            found = getattr(state, "indicators", None)
            if not isinstance(found, IndicatorData):
                found = IndicatorData(settings)
                state.indicators = found
    return found


@dataclass(frozen=True)
class RowQuery:
    """Filters on one indicator's rows (``None``: any)."""

    indicator: str
    areas: tuple[str, ...] | None = None
    levels: tuple[str, ...] | None = None
    period_type: str | None = None
    breakdown: str | None = None
    category: str | None = None


def _select(table: Any, q: RowQuery) -> pd.DataFrame:
    mask = None
    for column, wanted in (
        ("area_code", q.areas),
        ("level", q.levels),
        ("period_type", None if q.period_type is None else (q.period_type,)),
        ("breakdown", None if q.breakdown is None else (q.breakdown,)),
        ("category", None if q.category is None else (q.category,)),
    ):
        if wanted is None:
            continue
        cond = pc.is_in(table.column(column).cast(pa.string()), value_set=pa.array(wanted))
        mask = cond if mask is None else pc.and_(mask, cond)
    found = table if mask is None else table.filter(mask)
    return found.cast(mart.SCHEMA).to_pandas()


def rows(run: Run, engine: Engine, who: Principal, q: RowQuery) -> pd.DataFrame:
    """The rows ``who`` may see (with ``system_code``); unsuppressed reads are audited.

    Raises:
        NotFoundError: when the run has no values of the indicator.
    """
    public = run.view("public")
    if q.indicator not in public:
        raise NotFoundError(f"no values of indicator {q.indicator!r} in the current run")
    systems = run.system_of()
    frame = _select(public[q.indicator], q)
    frame["system_code"] = frame["area_code"].map(systems)
    if who.is_admin:
        mine = frame["area_code"].notna()
    elif who.sees_unsuppressed(who.system_code):
        mine = frame["system_code"] == who.system_code
    else:
        return frame
    if not mine.any():
        return frame
    analyst = _select(run.view("values")[q.indicator], q)
    analyst["system_code"] = analyst["area_code"].map(systems)
    keep = (
        analyst["area_code"].notna() if who.is_admin else analyst["system_code"] == who.system_code
    )
    analyst = analyst[keep].assign(disclosure="unsuppressed")
    audit_read(engine, who, run.run_id, q, len(analyst))
    return pd.concat([frame[~mine], analyst], ignore_index=True)


def audit_read(engine: Engine, who: Principal, run_id: str, q: RowQuery, count: int) -> None:
    """One audit row for a read of unsuppressed indicator rows."""
    where = ",".join(q.areas) if q.areas else ",".join(q.levels or ("all areas",))
    detail = {
        "run_id": run_id,
        "rows": count,
        "period_type": q.period_type,
        "breakdown": q.breakdown,
        "system_code": who.system_code,
    }
    record_read(engine, who, AUDIT_TABLE, f"{q.indicator}@{where}", detail)


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest period in ``frame``."""
    if frame.empty:
        return frame
    return frame[frame["period_end"] == frame["period_end"].max()]


def clean(value: Any) -> Any:
    """``None`` for NaN/NA (pandas), the value otherwise."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: clean(v) for k, v in r.items()} for r in frame.to_dict("records")]


def periods_in(frame: pd.DataFrame) -> Iterable[str]:
    return frame.sort_values("period_start")["period"].drop_duplicates().tolist()  # type: ignore[no-any-return]
