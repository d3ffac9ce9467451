"""The demo: the synthetic world written in the published formats and loaded through the real
reference loader, so every run exercises the same path a user's real files take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from icsys.assessment.demo import build_demo_evidence
from icsys.config import Settings
from icsys.reference.load import LoadReport, load_reference
from icsys.reference.register import Snapshot
from icsys.reference.summary import StructureSummary, summarise
from icsys.synth.governance import build_governance
from icsys.synth.population.generate import PopulationSpec
from icsys.synth.population.service import PopulationResult, synthesise_population
from icsys.synth.world import WorldSpec, build_world, write_world_files

DEMO_PERSONS = 60_000  # with two years of events: about 750,000 feed rows


@dataclass(frozen=True)
class DemoResult:
    load: LoadReport
    summary: StructureSummary
    governance_systems: int = 0  # systems given synthetic governance records by this run
    population: PopulationResult | None = None  # the synthetic population, loaded as feeds


def build_demo(
    engine: Engine,
    settings: Settings,
    *,
    seed: int = 2026,
    progress: Callable[[str], None] = lambda _m: None,
    persons: int = 0,
) -> DemoResult:
    """Write the world's files under the data folder and load them (a re-run loads nothing new).

    With ``persons``, also a synthetic population of that many people with two years of events,
    loaded through the feeds ingest (``icsys demo`` asks for ``DEMO_PERSONS``)."""
    spec = WorldSpec(seed=seed)
    world = build_world(spec)
    folder = settings.home / "synthetic-reference"
    progress(f"writing the synthetic world (seed {seed}) to {folder}")
    files = write_world_files(world, folder)
    report = load_reference(engine, settings, files, progress=progress)
    summary = summarise(Snapshot(engine, max(spec.extract_date, date(2025, 1, 1))))
    governance = build_governance(engine, settings, seed=seed, progress=progress)
    build_demo_evidence(engine, seed=seed)  # evidenced maturity criteria
    population = (
        synthesise_population(
            engine, settings, PopulationSpec(persons=persons, years=2, seed=seed), progress=progress
        )
        if persons > 0
        else None
    )
    return DemoResult(report, summary, governance, population)
