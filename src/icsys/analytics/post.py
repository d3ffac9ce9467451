"""After aggregation, one indicator at a time: values, limits and SPC
(:func:`icsys.analytics.finish.finish`), the public view
(:func:`icsys.analytics.public.public_view`) and both written as a part of the mart run
(:func:`icsys.analytics.mart.write_part`), in worker processes: the caller only counts them.

Indicators are independent once aggregated, so ``workers`` processes each take one indicator's
rows of the long frame (the largest first); the parts are numbered in the mart's order (by
indicator id) and come back as they finish, with at most four per worker in flight so memory
stays bounded. Workers start with ``forkserver``: the parent has run DuckDB's threads, and a
forked copy of a threaded process may deadlock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    as_completed,
    wait,
)
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.finish import finish
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


def parts(
    library: Library,
    long: pd.DataFrame,
    periods: list[Period],
    policy: DisclosurePolicy,
    writer: MartWriter,
    *,
    keep: Iterable[str] = (),
    workers: int = 1,
) -> Generator[Part, None, None]:
    """Each indicator of ``long`` finished, disclosure-controlled and written as a part of
    ``writer``'s run (parts numbered in id order); in ``workers`` processes (1: in this one),
    the largest first, yielded as they finish. ``keep``: indicators whose analyst rows are
    also returned as a frame (the inputs of derived indicators). The parts' rows are counted
    in ``writer``."""
    task = _Task(tuple(library.ids), periods, policy, writer.stamp, frozenset(keep), writer.staging)
    rows = long.groupby("indicator_id", observed=True, sort=False).indices
    numbers = {i: writer.next_part() for i in sorted(rows, key=str)}
    if workers <= 1:
        for i, number in numbers.items():
            yield _counted(writer, _one(task, str(i), number, long.take(rows[i])))
        return
    largest = sorted(numbers, key=lambda i: (-len(rows[i]), str(i)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver"))
    pending: set[Future[Part]] = set()
    try:
        for i in largest:
            pending.add(pool.submit(_one, task, str(i), numbers[i], long.take(rows[i])))
            while len(pending) >= 4 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield _counted(writer, future.result())
        for future in as_completed(pending):
            yield _counted(writer, future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _counted(writer: MartWriter, part: Part) -> Part:
    writer.add(part.rows)
    return part
