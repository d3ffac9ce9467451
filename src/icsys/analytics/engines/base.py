"""What an engine is, and the input files every engine reads.

An engine turns the plan and the input files into the *long* aggregate frame
(:data:`icsys.analytics.families.LONG_COLUMNS`): one row per indicator, period, level, area,
breakdown value, category and (for age-standardised indicators) ESP 2013 band, with the summed
numerator and denominator. Everything after that is shared (:mod:`icsys.analytics.finish`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import ibis.expr.types as ir  # type: ignore[import-untyped]
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.parquet as pq

from icsys.analytics.families import Plan
from icsys.analytics.long import long_frame
from icsys.analytics.periods import Period
from icsys.analytics.plan import iter_families
from icsys.analytics.structure import Structure
from icsys.feeds.contracts import contract
from icsys.feeds.lake import schema as lake_schema

LINEAGE_COLUMNS = frozenset({"source_file", "source_line"})


@dataclass(frozen=True)
class InputFiles:
    """Parquet files per table name (lake feeds, structure, periods), all an engine reads."""

    tables: dict[str, list[Path]]


class Engine(Protocol):
    """Runs a plan over input files."""

    name: str

    def aggregate(
        self, plan: Plan, inputs: InputFiles, *, standardise: bool = False
    ) -> pd.DataFrame:
        """The long aggregate frame of every indicator in the plan.

        ``standardise``: the engine may return age-standardised indicators summed over the
        age bands (:func:`icsys.analytics.long.long_frame`); :func:`icsys.analytics.finish.finish`
        takes either form."""
        ...


def periods_table(periods: list[Period], pop_years: list[int]) -> pa.Table:
    """The periods, numbered (``period_no``, the plan's integer key of a period), with the ONS
    estimate year each uses (the latest at or before the middle of the period, else the
    earliest available)."""
    years = sorted(set(pop_years))
    chosen = []
    for p in periods:
        middle = p.start + (p.end - p.start) / 2
        mid_year = middle.year if (middle.month, middle.day) >= (7, 1) else middle.year - 1
        before = [y for y in years if y <= mid_year]
        chosen.append(before[-1] if before else (years[0] if years else mid_year))
    return pa.table(
        {
            "period_id": pa.array([p.period_id for p in periods], pa.string()),
            "period_no": pa.array(range(len(periods)), pa.int64()),
            "period_type": pa.array([p.period_type for p in periods], pa.string()),
            "start": pa.array([p.start for p in periods], pa.date32()),
            "end": pa.array([p.end for p in periods], pa.date32()),
            "pop_year": pa.array(chosen, pa.int64()),
        }
    )


def month_tables(periods: list[Period]) -> tuple[pa.Table, pa.Table]:
    """The calendar months the periods cover, and which months each period is made of: ``months``
    (``month_no``: year × 12 + month − 1, ``start``, ``end``) and ``period_months``
    (``period_no``, ``month_no``). Activity is summed by month and its periods from their months
    (:func:`icsys.analytics.families.by_month`)."""
    numbers: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for no, p in enumerate(periods):
        first, last = p.start.year * 12 + p.start.month - 1, p.end.year * 12 + p.end.month - 1
        for month in range(first, last + 1):
            numbers.add(month)
            pairs.append((no, month))
    months = sorted(numbers)
    starts = [_first_day(m) for m in months]
    ends = [_first_day(m + 1) - timedelta(days=1) for m in months]
    return (
        pa.table(
            {
                "month_no": pa.array(months, pa.int64()),
                "start": pa.array(starts, pa.date32()),
                "end": pa.array(ends, pa.date32()),
            }
        ),
        pa.table(
            {
                "period_no": pa.array([p for p, _m in pairs], pa.int64()),
                "month_no": pa.array([m for _p, m in pairs], pa.int64()),
            }
        ),
    )


def _first_day(month_no: int) -> date:
    return date(month_no // 12, month_no % 12 + 1, 1)


FEEDS = (
    "persons",
    "registrations",
    "conditions",
    "hospital_spells",
    "ae_attendances",
    "outpatient_appointments",
    "community_contacts",
    "mental_health_contacts",
    "social_care_services",
    "waiting_list",
    "workforce",
    "ae_provider_monthly",
)


@contextmanager
def input_files(
    lake: dict[str, list[Path]], structure: Structure, periods: list[Period]
) -> Iterator[InputFiles]:
    """Write the structure, the periods and empty stand-ins for unloaded feeds to a temporary
    folder; yield every table's files (lake files are read where they are)."""
    with tempfile.TemporaryDirectory(prefix="icsys-inputs-") as tmp:
        folder = Path(tmp)
        tables: dict[str, list[Path]] = {}

        def write(name: str, table: pa.Table) -> None:
            path = folder / f"{name}.parquet"
            pq.write_table(table, path)
            tables[name] = [path]

        for feed in FEEDS:
            if lake.get(feed):
                tables[feed] = list(lake[feed])
            else:
                write(feed, lake_schema(contract(feed)).empty_table())
        for name, table in structure.tables.items():
            write(name, table)
        pop_years = structure.tables["ons_population"].column("year").to_pylist()
        write("periods", periods_table(periods, pop_years))
        months, period_months = month_tables(periods)
        write("months", months)
        write("period_months", period_months)
        yield InputFiles(tables)


class IbisEngine:
    """The plan on an Ibis backend: tables read from Parquet, lineage columns dropped."""

    name = "ibis"

    def _read(self, name: str, paths: list[Path]) -> ir.Table:
        raise NotImplementedError

    def _cache(self, expr: ir.Table) -> ir.Table:
        return expr.cache()

    def _drop(self, cached: ir.Table) -> None:
        """Let go of one table made by :meth:`_cache`."""
        cached.release()

    def _execute(self, expr: ir.Table) -> pa.Table:
        return expr.to_pyarrow()

    def families(self, plan: Plan, inputs: InputFiles) -> Iterator[tuple[str, pa.Table]]:
        """Each family's result (key, Arrow table) as soon as it is computed, in the plan's
        order; the engine's cached tables are let go when the last is out (or the caller stops
        early)."""
        loaded: dict[str, ir.Table] = {}

        def table(name: str) -> ir.Table:
            if name not in loaded:
                t = self._read(name, inputs.tables[name])
                if name in FEEDS:  # only the contract's columns (not lineage, not hive keys)
                    keep = [
                        c for c in lake_schema(contract(name)).names if c not in LINEAGE_COLUMNS
                    ]
                    t = t.select(*keep)
                loaded[name] = t
            return loaded[name]

        self._open()
        try:
            yield from iter_families(
                plan, table, cache=self._cache, execute=self._execute, drop=self._drop
            )
        finally:
            self._release()  # the families' results are their own; the cached inputs go

    def aggregate(
        self, plan: Plan, inputs: InputFiles, *, standardise: bool = False
    ) -> pd.DataFrame:
        results = dict(self.families(plan, inputs))
        return long_frame(plan, results, standardise=standardise)

    def _open(self) -> None:
        """Get ready to run a plan (a connection, a scratch folder)."""

    def _release(self) -> None:
        """Let go of the cached intermediate tables (before the long frame is built)."""


Reader = Callable[[str, list[Path]], ir.Table]
