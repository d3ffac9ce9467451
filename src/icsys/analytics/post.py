"""After aggregation, one indicator at a time: values, limits and SPC
(:func:`icsys.analytics.finish.finish`), the public view
(:func:`icsys.analytics.public.public_view`) and both written as a part of the mart run
(:func:`icsys.analytics.mart.write_part`), in worker processes: the caller only counts them.

Indicators are independent once their families are aggregated, so they are started as soon as
the families they read come out of the engine, while the engine computes the next ones: the
long rows of the indicators a family completes are built together, and each indicator's rows go
to a worker (no frame of every indicator's rows is ever held, and a family's result is let go
once no indicator still to start reads it). The parts are numbered in the mart's order (by
indicator id) and come back as they finish. Workers start with ``forkserver``: the parent runs
DuckDB's threads, and a forked copy of a threaded process may deadlock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa

from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.families import IndicatorPlan, Plan, build_plan
from icsys.analytics.finish import finish
from icsys.analytics.long import long_frame
from icsys.analytics.mart import MartWriter, arrow_tables, write_part
from icsys.analytics.periods import Period
from icsys.analytics.public import DisclosurePolicy, public_view

MAX_WORKERS = 4  # each holds one indicator's rows (a few GB at 10 million people)


@dataclass(frozen=True)
class Part:
    """One indicator written to the mart: its rows, its analyst rows as a frame when asked
    for, and the seconds each step took."""

    indicator_id: str
    rows: int
    frame: pd.DataFrame | None
    seconds: dict[str, float]


def default_workers() -> int:
    """One worker per CPU, at most :data:`MAX_WORKERS`."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@lru_cache(maxsize=4)
def _library(ids: tuple[str, ...]) -> Library:
    return load_library().select(list(ids))


@dataclass(frozen=True)
class _Task:
    ids: tuple[str, ...]  # the library's selection
    periods: list[Period]
    policy: DisclosurePolicy
    stamp: dict[str, str]  # the run's id and definitions' version
    keep: frozenset[str]  # indicators whose analyst rows are wanted as a frame
    staging: Path  # the run being written


def _one(task: _Task, indicator_id: str, number: int, rows: pd.DataFrame) -> Part:
    library = _library(task.ids)
    start = time.perf_counter()
    values = finish(library, rows, task.periods)
    done = time.perf_counter()
    public = public_view(values, task.policy, library)
    checked = time.perf_counter()
    tables = arrow_tables(values, public, task.stamp)
    built = time.perf_counter()
    written = write_part(task.staging, number, *tables)
    seconds = {
        "finish": done - start,
        "disclosure": checked - done,
        "arrow": built - checked,
        "write": time.perf_counter() - built,
    }
    kept = values if indicator_id in task.keep else None
    return Part(indicator_id, written, kept, seconds)


@lru_cache(maxsize=4)
def _plan(ids: tuple[str, ...]) -> Plan:
    return build_plan(_library(ids))


def parts(
    library: Library,
    families: Iterator[tuple[str, pa.Table]],
    periods: list[Period],
    policy: DisclosurePolicy,
    writer: MartWriter,
    *,
    keep: Iterable[str] = (),
    workers: int = 1,
    progress: Callable[[str, int], None] = lambda _key, _rows: None,
) -> Generator[Part, None, None]:
    """Each indicator of ``library`` finished, disclosure-controlled and written as a part of
    ``writer``'s run (parts numbered in id order), started as soon as the ``families`` it
    reads are out of the engine: their long rows built together
    (:func:`icsys.analytics.long.long_frame`), then each indicator in one of ``workers``
    processes (1: in this one) while the engine computes the next families. Parts are yielded
    as they finish; ``keep``: indicators whose analyst rows are also returned as a frame (the
    inputs of derived indicators). The parts' rows are counted in ``writer``; ``progress``
    hears of each family (key, rows) as it arrives."""
    task = _Task(tuple(library.ids), periods, policy, writer.stamp, frozenset(keep), writer.staging)
    plan = _plan(task.ids)
    numbers = {ip.indicator.id: writer.next_part() for ip in sorted(plan.indicators, key=_id)}
    waiting = list(plan.indicators)
    tables: dict[str, pa.Table] = {}
    pool = None
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver"))
    pending: set[Future[Part]] = set()
    try:
        for key, table in families:
            tables[key] = table
            progress(key, table.num_rows)
            ready = [ip for ip in waiting if ip.families <= tables.keys()]
            waiting = [ip for ip in waiting if ip not in ready]
            if not ready:
                continue
            for i, rows in _long_rows(plan, ready, tables):
                pending.add(_start(pool, task, i, numbers[i], rows))
            for k in set(tables) - set().union(*(ip.families for ip in waiting)):
                del tables[k]  # no indicator still waiting reads it
            done = {f for f in pending if f.done()}
            pending -= done
            for future in done:
                yield _counted(writer, future.result())
        for future in as_completed(pending):
            yield _counted(writer, future.result())
    finally:
        close = getattr(families, "close", None)
        if close is not None:
            close()  # the engine lets go of its tables when stopped early
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _start(
    pool: ProcessPoolExecutor | None,
    task: _Task,
    indicator_id: str,
    number: int,
    rows: pd.DataFrame,
) -> Future[Part]:
    """:func:`_one` in a worker, or done here when there is no pool."""
    if pool is not None:
        return pool.submit(_one, task, indicator_id, number, rows)
    done: Future[Part] = Future()
    done.set_result(_one(task, indicator_id, number, rows))
    return done


def _long_rows(
    plan: Plan, ready: list[IndicatorPlan], tables: dict[str, pa.Table]
) -> list[tuple[str, pd.DataFrame]]:
    """The long rows of each of the ``ready`` indicators (built together), the largest
    first."""
    needed = set().union(*(ip.families for ip in ready))
    batch = Plan(tuple(f for f in plan.families if f.key in needed), tuple(ready))
    long = long_frame(batch, {k: tables[k] for k in needed}, standardise=True)
    rows = long.groupby("indicator_id", observed=True, sort=False).indices
    largest = sorted(rows, key=lambda i: (-len(rows[i]), str(i)))
    return [(str(i), long.take(rows[i])) for i in largest]


def _id(ip: IndicatorPlan) -> str:
    return ip.indicator.id


def _counted(writer: MartWriter, part: Part) -> Part:
    writer.add(part.rows)
    return part
