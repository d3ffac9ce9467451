"""``icsys synth population``: generate the synthetic population and load it like partner feeds.

The structure is whatever the register holds (the real England structure after
``icsys reference load``); with an empty register the synthetic world is written and loaded
first. The feeds are written under ``<home>/synthetic-feeds/`` (or ``out``) and each is loaded
through the real ingest (:func:`icsys.feeds.ingest.load_feed`), pseudonymisation and
quarantine included, so the reconciliation printed is the one a partner's files would get.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import Engine

from icsys.config import Settings
from icsys.errors import UserError
from icsys.feeds.ingest import FeedLoadReport, Registers, load_feed, read_registers
from icsys.reference.load import load_reference
from icsys.store.db import open_store
from icsys.synth.population.generate import FEEDS, GenerationReport, PopulationSpec, generate
from icsys.synth.population.structure import Frame, read_frame
from icsys.synth.world import WorldSpec, build_world, write_world_files

FEEDS_FOLDER = "synthetic-feeds"


@dataclass(frozen=True)
class LoadCost:
    """What loading one feed cost the process that did it."""

    cpu_seconds: float
    peak_rss_mib: float


@dataclass
class PopulationResult:
    generation: GenerationReport
    loads: list[FeedLoadReport] = field(default_factory=list)
    load_seconds: float = 0.0
    load_costs: dict[str, LoadCost] = field(default_factory=dict)
    world_loaded: bool = False

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.loads)

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.loads)

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.loads)


def structure_frame(
    engine: Engine,
    settings: Settings,
    spec: PopulationSpec,
    *,
    world_seed: int = 2026,
    progress: Callable[[str], None] = lambda _m: None,
) -> tuple[Frame, bool]:
    """The register's structure for the period; the synthetic world is loaded if it is empty.
    Returns the frame and whether the world had to be loaded."""
    try:
        return read_frame(engine, start=spec.start, end=spec.end), False
    except UserError:
        if not _register_empty(engine, spec):
            raise
    progress("the register is empty: loading the synthetic world first")
    folder = settings.home / "synthetic-reference"
    files = write_world_files(build_world(WorldSpec(seed=world_seed)), folder)
    load_reference(engine, settings, files, progress=progress)
    return read_frame(engine, start=spec.start, end=spec.end), True


def _register_empty(engine: Engine, spec: PopulationSpec) -> bool:
    from icsys.domain.levels import Level  # noqa: PLC0415
    from icsys.reference.register import Snapshot  # noqa: PLC0415

    return not Snapshot(engine, spec.end).codes(Level.LSOA21)


def synthesise_population(
    engine: Engine,
    settings: Settings,
    spec: PopulationSpec,
    *,
    out: Path | None = None,
    load: bool = True,
    fmt: str = "parquet",
    progress: Callable[[str], None] = lambda _m: None,
) -> PopulationResult:
    """Generate every feed into ``out`` and (unless ``load`` is false) ingest each one."""
    frame, world = structure_frame(engine, settings, spec, progress=progress)
    folder = out or settings.home / FEEDS_FOLDER
    progress(f"generating {spec.persons:,} persons x {spec.years} years into {folder}")
    generation = generate(frame, spec, folder, fmt=fmt, progress=progress)
    result = PopulationResult(generation, world_loaded=world)
    if load:
        began = time.perf_counter()
        loaded = load_feeds(
            settings,
            folder,
            generation.rows,
            workers=spec.workers,
            progress=progress,
            registers=read_registers(engine, FEEDS),
        )
        result.loads = [report for report, _ in loaded]
        result.load_costs = {report.feed: cost for report, cost in loaded}
        result.load_seconds = time.perf_counter() - began
    return result


def _load_one(
    settings: Settings,
    feed: str,
    folder: str,
    environ: dict[str, str],
    registers: Registers | None = None,
) -> tuple[FeedLoadReport, LoadCost]:
    engine = open_store(settings)
    cpu = time.process_time()
    try:
        report = load_feed(
            engine, settings, feed, [Path(folder)], environ=environ, registers=registers
        )
    finally:
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report, LoadCost(time.process_time() - cpu, peak)


def load_feeds(
    settings: Settings,
    folder: Path,
    rows: dict[str, int],
    *,
    workers: int = 2,
    progress: Callable[[str], None] = lambda _m: None,
    registers: Registers | None = None,
) -> list[tuple[FeedLoadReport, LoadCost]]:
    """Load every feed through the ingest, ``workers`` feeds at a time, largest first, each in a
    process of its own (each feed is its own batch under its own lock), with the register's
    codes read once (``registers``) rather than by every load.
    Reports come back in ``FEEDS`` order."""
    order = sorted(FEEDS, key=lambda f: -rows.get(f, 0))
    environ = dict(os.environ)  # the pseudonym key's location, as this process sees it
    reports: dict[str, tuple[FeedLoadReport, LoadCost]] = {}
    if workers <= 1:
        for feed in order:
            progress(f"loading {feed}")
            reports[feed] = _load_one(settings, feed, str(folder / feed), environ, registers)
    else:
        # each worker loads several feeds, so the pseudonyms it computed for one (kept in a
        # bounded cache) serve the next: most people are in most feeds
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
            futures = {
                pool.submit(_load_one, settings, f, str(folder / f), environ, registers): f
                for f in order
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    feed = futures[future]
                    reports[feed] = future.result()
                    progress(f"loaded {feed} ({len(reports)} of {len(FEEDS)} feeds)")
    return [reports[f] for f in FEEDS]
