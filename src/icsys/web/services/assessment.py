"""Assessments, oversight and peer groups for the portal, read-only and cached.

What is shown is what is published, the same for every caller: a maturity assessment cites only
the public, disclosure-controlled view of the indicator mart (``public`` of the current
run), whoever asks — analysts included, since an assessment is a published judgement. Counts
in that view are rounded in ``numerator``; for ``count`` indicators the value *is* the count, so
the value shown is the rounded numerator too.

The default assessment of a system is its latest recorded run (``icsys assess run``), explained
criterion by criterion as ``icsys assess explain`` does, with the framework text the run used.
Without a recorded run the assessment is computed for the date asked and marked as not
recorded. Explanations, oversight segments and peer models are cached per *generation*: a new
generation starts when the indicator mart's current run or the latest assessment run changes,
or after ``ttl`` seconds (other records, such as governance and evidence, show within that).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pyarrow.parquet as pq
from sqlalchemy import Engine

from icsys.analytics.mart import read_current
from icsys.assessment import service
from icsys.assessment.evaluate import CriterionResult, DomainResult, SystemAssessment
from icsys.assessment.frameworks.loader import (
    LoadedFramework,
    load_framework,
    shipped_frameworks,
)
from icsys.assessment.frameworks.model import Framework, Stage
from icsys.assessment.measures import (
    GovernanceMeasures,
    IndicatorMart,
    Measures,
    MeasureSource,
    StructureMeasures,
)
from icsys.assessment.oversight import DEFAULT_SYSTEM_CONFIG, OversightConfig, OversightResult
from icsys.assessment.peers import FEATURES, PeerModel
from icsys.assessment.records import (
    RecordedResult,
    latest_run_id,
    recorded_framework,
    recorded_results,
)
from icsys.assessment.words import describe, is_share, label
from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.errors import NotFoundError
from icsys.web import schemas as s
from icsys.web.services.structure import Register

T = TypeVar("T")
MAX_ENTRIES = 256
CALLS = {
    "no_concern": "no special-cause concern",
    "trend_improving": "special-cause improvement",
    "known": "has a value",
    "coalesce": "value or default",
}


def public_source(engine: Engine, settings: Settings) -> tuple[MeasureSource, str | None]:
    """Governance, structure and the *public* indicator view; the indicator run's id."""
    sources: dict[str, MeasureSource] = {
        "governance": GovernanceMeasures(engine),
        "structure": StructureMeasures(engine),
    }
    manifest = read_current(settings, missing_ok=True)
    path = service.mart_path(settings)
    if manifest is None or not path.exists():
        return Measures(sources), None
    table = pq.read_table(
        path, filters=[("level", "=", Level.SYSTEM.value), ("breakdown", "=", "all")]
    )
    rows = table.to_pylist()
    for row in rows:
        if row.get("method") == "count":  # the value of a count is its (rounded) numerator
            row["value"] = row.get("numerator")
    sources["indicator"] = IndicatorMart(rows)
    return Measures(sources), str(manifest["run_id"])


@dataclass
class _Generation:
    key: tuple[str | None, int | None]
    born: float
    source: MeasureSource
    mart_run: str | None
    entries: dict[tuple[object, ...], object] = field(default_factory=dict)
    locks: dict[tuple[object, ...], threading.Lock] = field(default_factory=dict)


class AssessmentData:
    """The cache of one portal process (``app.state.assessments``)."""

    def __init__(self, engine: Engine, settings: Settings, ttl: float) -> None:
        self.engine = engine
        self.settings = settings
        self.ttl = ttl
        self._generation: _Generation | None = None
        self._lock = threading.RLock()

    def generation(self) -> _Generation:
        manifest = read_current(self.settings, missing_ok=True)
        key = (None if manifest is None else str(manifest["run_id"]), latest_run_id(self.engine))
        now = time.monotonic()
        with self._lock:
            gen = self._generation
            if gen is None or gen.key != key or now - gen.born > self.ttl:
                source, mart_run = public_source(self.engine, self.settings)
                gen = _Generation(key, now, source, mart_run)
                self._generation = gen
            return gen

    def cached(self, key: tuple[object, ...], make: Callable[[_Generation], T]) -> T:
        """``make``'s value for ``key`` in the current generation: computed once (requests for
        the same key wait for it; other keys go ahead)."""
        gen = self.generation()
        with self._lock:
            if key in gen.entries:
                return gen.entries[key]  # type: ignore[return-value]
            key_lock = gen.locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in gen.entries:
                    return gen.entries[key]  # type: ignore[return-value]
            value = make(gen)
            with self._lock:
                if len(gen.entries) >= MAX_ENTRIES:
                    gen.entries.clear()
                    gen.locks.clear()
                gen.entries[key] = value
            return value

    def framework(self, framework_id: str, version: int) -> LoadedFramework:
        return self.cached(
            ("framework", framework_id, version),
            lambda _g: recorded_framework(self.engine, framework_id, version),
        )

    def explain(self, code: str, as_of: date, loaded: LoadedFramework) -> SystemAssessment:
        return self.cached(
            ("explain", code, as_of, loaded.fingerprint),
            lambda g: service.explain(
                self.engine, code, as_of=as_of, framework=loaded, source=g.source
            ),
        )

    def oversight(self, as_of: date, config: OversightConfig) -> OversightResult:
        return self.cached(
            ("oversight", as_of, config.model_dump_json()),
            lambda g: service.system_oversight(
                self.engine, as_of=as_of, source=g.source, config=config
            ),
        )

    def peers(self, as_of: date) -> PeerModel:
        return self.cached(
            ("peers", as_of), lambda _g: service.peer_model(self.engine, as_of=as_of)
        )


def data_of(state: Any, engine: Engine, settings: Settings, ttl: float) -> AssessmentData:
    """The app's cache, made on first use."""
    found = getattr(state, "assessments", None)
    if not isinstance(found, AssessmentData):
        with _MAKE:
            found = getattr(state, "assessments", None)
            if not isinstance(found, AssessmentData):
                found = AssessmentData(engine, settings, ttl)
                state.assessments = found
    return found


_MAKE = threading.Lock()


# --- recorded runs --------------------------------------------------------------------------
def _summary(r: RecordedResult, names: dict[str, str | None]) -> s.AssessmentSummary:
    return s.AssessmentSummary(
        run_id=r.run.id,
        framework=r.run.framework_id,
        version=r.run.version,
        as_of=r.run.as_of,
        run_at=r.run.run_at,
        system_code=r.system_code,
        system_name=names.get(r.system_code),
        overall=r.overall,
        domains=r.domains,
        segment=r.segment,
    )


def list_assessments(
    engine: Engine,
    register: Register,
    day: date,
    *,
    system: str | None = None,
    framework: str | None = None,
) -> list[s.AssessmentSummary]:
    """Every recorded (run, system), newest first; filtered by system and framework id."""
    snap = register.snapshot(day)
    codes = None if system is None else [snap.resolve_system(system)]
    names = {c: snap.name(Level.SYSTEM, c) for c in snap.codes(Level.SYSTEM)}
    found = recorded_results(engine, systems=codes, framework_id=framework)
    return [_summary(r, names) for r in found]


@dataclass(frozen=True)
class Panel:
    """The system page's panel: the latest recorded assessment on or before the date."""

    summary: s.AssessmentSummary
    domains: list[tuple[str, str | None]]  # (domain title, stage)


def panel(data: AssessmentData, register: Register, code: str, day: date) -> Panel | None:
    found = recorded_results(data.engine, systems=[code], until=day)
    if not found:
        return None
    latest = found[0]
    f = data.framework(latest.run.framework_id, latest.run.version).framework
    names = {code: register.snapshot(day).name(Level.SYSTEM, code)}
    rows = [(d.title, latest.domains.get(d.id)) for d in f.domains]
    return Panel(_summary(latest, names), rows)


# --- one system's assessment ----------------------------------------------------------------
def _framework_by_id(framework_id: str | None) -> LoadedFramework:
    if framework_id is None:
        return load_framework()
    shipped = [load_framework(name) for name in shipped_frameworks()]
    match = [f for f in shipped if f.framework.id == framework_id]
    if not match:
        raise NotFoundError(f"no framework {framework_id!r} has been run or is shipped")
    return max(match, key=lambda f: f.framework.version)


def system_assessment(
    data: AssessmentData,
    register: Register,
    system: str,
    *,
    as_of: date | None = None,
    framework: str | None = None,
) -> s.SystemAssessment:
    """The latest recorded assessment of ``system`` (or the one recorded on ``as_of``); with no
    recorded run, the assessment computed for ``as_of`` (default today), marked unrecorded."""
    today = date.today()  # noqa: DTZ011 - the register's dates are calendar dates
    code = register.snapshot(as_of or today).resolve_system(system)
    runs = recorded_results(data.engine, systems=[code], framework_id=framework)
    record = runs[0] if as_of is None and runs else None
    if as_of is not None:
        record = next((r for r in runs if r.run.as_of == as_of), None)
    when = record.run.as_of if record is not None else as_of or today
    loaded = (
        data.framework(record.run.framework_id, record.run.version)
        if record is not None
        else _framework_by_id(framework)
    )
    result = data.explain(code, when, loaded)
    config = record.run.oversight_config if record is not None else DEFAULT_SYSTEM_CONFIG
    segments = data.oversight(when, config)
    oversight = _oversight(segments, code)
    matches = None
    if record is not None:
        matches = (
            record.domains == {d.domain: _stage(d.stage) for d in result.domains}
            and record.overall == _stage(result.overall)
            and record.segment == (None if oversight is None else oversight.segment)
        )
    f = loaded.framework
    mart = data.generation().mart_run
    return s.SystemAssessment(
        system_code=code,
        system_name=register.snapshot(when).name(Level.SYSTEM, code),
        framework=f.id,
        version=f.version,
        framework_title=f.title,
        as_of=when,
        recorded=record is not None,
        run_id=None if record is None else record.run.id,
        matches_record=matches,
        overall=_stage(result.overall),
        overall_score=result.overall_score,
        stage_thresholds=f.stages.model_dump(),
        domains=[_domain(f, d) for d in result.domains],
        notes=list(result.notes),
        oversight=oversight,
        indicator_source=(
            f"the public, disclosure-controlled view of indicator run {mart}"
            if mart
            else "none: no indicator values have been computed, so indicator criteria have no data"
        ),
    )


def _stage(stage: Stage | None) -> str | None:
    return None if stage is None else stage.label


def _domain(f: Framework, d: DomainResult) -> s.AssessedDomain:
    spec = next(x for x in f.domains if x.id == d.domain)
    return s.AssessedDomain(
        domain=d.domain,
        title=d.title,
        weight=d.weight,
        score=d.score,
        stage=_stage(d.stage),
        thresholds=f.thresholds(spec).model_dump(),
        gates_unmet=list(d.gates_unmet),
        criteria=[_criterion(f, c) for c in d.criteria],
    )


def _criterion(f: Framework, c: CriterionResult) -> s.AssessedCriterion:
    _, spec = f.criterion(c.key)
    ev = c.evidence
    evidence = None
    if ev is not None:
        evidence = s.CriterionEvidence(
            id=ev.evidence_id,
            outcome=ev.outcome,
            statement=ev.statement,
            reviewer=ev.reviewer,
            reviewer_system_code=ev.reviewer_system_code,
            reviewed_on=ev.reviewed_on,
            documents=[
                s.EvidenceDocumentRef(title=d.title, path=d.path, sha256=d.sha256)
                for d in ev.documents
            ],
        )
    return s.AssessedCriterion(
        domain=c.domain,
        criterion=c.criterion,
        title=c.title,
        kind=c.kind,
        rule=c.rule,
        in_words=describe(spec),
        params=dict(c.params),
        values=[_value(k, v) for k, v in c.values.items()],
        outcome=c.outcome,
        counted=c.counted,
        weight=c.weight,
        required_for=c.required_for,
        cites=list(c.cites),
        evidence=evidence,
    )


def _value(key: str, value: float | None) -> s.CriterionValue:
    if key.endswith(" (points)"):
        ref = key.removesuffix(" (points)")
        shown = "none" if value is None else f"{int(value):,}"
        return s.CriterionValue(
            reference=key, label=f"Points in the series of {label(ref)}", value=value, shown=shown
        )
    if "(" in key:
        name = key.partition("(")[0]
        shown = "unknown" if value is None else "yes" if value else "no"
        return s.CriterionValue(
            reference=key, label=CALLS.get(name, name), value=value, shown=shown
        )
    return s.CriterionValue(
        reference=key, label=label(key), value=value, shown=show_number(value, is_share(key))
    )


def show_number(value: float | None, share: bool = False) -> str:
    if value is None:
        return "no data"
    if share:
        return f"{100 * value:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _oversight(result: OversightResult, code: str) -> s.OversightView | None:
    seg = result.of(code)
    if seg is None:
        return None
    config = result.config
    return s.OversightView(
        segment=seg.segment,
        score=seg.score,
        counted_metrics=seg.counted_metrics,
        min_metrics=config.min_metrics,
        peer_group=seg.peer_group,
        league_rank=seg.league_rank,
        league_of=seg.league_of,
        finance_note=seg.finance_note,
        metrics=[
            s.OversightMetricScore(
                metric=m.name,
                title=m.title or label(m.name),
                direction=m.direction,
                counted=m.counts,
                value=seg.metric_values.get(m.name),
                score=seg.metric_scores.get(m.name),
            )
            for m in config.metrics
        ],
        assumptions=list(result.assumptions),
    )


# --- peers ----------------------------------------------------------------------------------
PEER_METHOD = (
    "Nearest neighbours on structural need in the manner of CIPFA's model: each feature is a "
    "z-score across all systems; the distance is the weighted root mean square of the z-score "
    "differences. Population is compared on a log scale."
)


def peer_group(
    data: AssessmentData, register: Register, system: str, as_of: date, n: int = 5
) -> s.PeerGroup:
    snap = register.snapshot(as_of)
    code = snap.resolve_system(system)
    try:
        model = data.peers(as_of)
    except ValueError as exc:  # fewer than two systems in force
        raise NotFoundError(f"no peer groups at {as_of}: {exc}") from None
    weights = model.config.weights
    peers = model.peers(code, n)
    return s.PeerGroup(
        system_code=code,
        system_name=snap.name(Level.SYSTEM, code),
        as_of=as_of,
        n=n,
        method=PEER_METHOD,
        features=[
            s.PeerFeature(
                feature=f,
                title=title,
                weight=weights.get(f, 0.0),
                value=model.raw[code].get(f),
                z=round(model.z[code][f], 3),
            )
            for f, title in FEATURES.items()
        ],
        peers=[
            s.PeerSystem(
                rank=p.rank,
                code=p.code,
                name=snap.name(Level.SYSTEM, p.code),
                distance=round(p.distance, 3),
                differs_most_on=[
                    s.PeerContribution(feature=c.feature, share=round(c.share, 3))
                    for c in sorted(p.contributions, key=lambda c: (-c.share, c.feature))
                    if c.feature in p.drivers
                ],
                alike_on=list(p.alike),
                values={f: model.raw[p.code].get(f) for f in FEATURES},
            )
            for p in peers
        ],
        notes=list(model.notes),
    )


def peer_codes(data: AssessmentData, register: Register, system: str, as_of: date) -> list[str]:
    """``system`` and its peers (the compare page's default choice)."""
    group = peer_group(data, register, system, as_of)
    return [group.system_code, *(p.code for p in group.peers)]
