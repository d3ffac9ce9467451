"""The assessment service: run, explain, history, sensitivity, peers, comparison, oversight.

This is the API the CLI and the portal call; everything else in the package is the method.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from icsys.analytics.mart import mart_dir, read_current, view_path
from icsys.assessment.compare import Comparison, compare_measure
from icsys.assessment.evaluate import SystemAssessment, evaluate_system
from icsys.assessment.evidence import evidence_as_of
from icsys.assessment.frameworks.loader import LoadedFramework, load_framework, with_changes
from icsys.assessment.immutability import check_unchanged, register_use
from icsys.assessment.measures import IndicatorMart, Measures, MeasureSource, store_measures
from icsys.assessment.oversight import (
    DEFAULT_PROVIDER_CONFIG,
    DEFAULT_SYSTEM_CONFIG,
    OversightConfig,
    OversightResult,
    segment,
)
from icsys.assessment.peers import PeerConfig, PeerModel, build_peer_model, system_features
from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.errors import NotFoundError, UserError
from icsys.reference.register import Snapshot
from icsys.store import assessment_models as a

OVERALL = "overall"


def mart_path(settings: Settings) -> Path:
    """The current run of the analytics engine's ``indicator_values`` mart: its public,
    disclosure-controlled view, since assessments are published (a path that does not exist
    when nothing has been computed yet)."""
    manifest = read_current(settings, missing_ok=True)
    if manifest is None:
        return mart_dir(settings) / "none"
    return view_path(mart_dir(settings) / f"run={manifest['run_id']}", "public")


def default_source(engine: Engine, settings: Settings | None = None) -> Measures:
    return store_measures(engine, None if settings is None else mart_path(settings))


def _framework(framework: LoadedFramework | Path | str | None) -> LoadedFramework:
    return framework if isinstance(framework, LoadedFramework) else load_framework(framework)


def _systems(engine: Engine, as_of: date, systems: Sequence[str] | None) -> list[str]:
    snap = Snapshot(engine, as_of)
    if systems is None:
        found = snap.codes(Level.SYSTEM)
        if not found:
            raise NotFoundError(f"no systems in force at {as_of}: load reference data first")
        return found
    return [snap.resolve_system(s) for s in systems]


@dataclass(frozen=True)
class AssessmentRun:
    run_id: int | None
    framework: LoadedFramework
    as_of: date
    results: tuple[SystemAssessment, ...]
    oversight: OversightResult
    names: Mapping[str, str | None] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """One row per system: its stage per domain and overall, its oversight segment."""
        rows = []
        for r in self.results:
            seg = self.oversight.of(r.system)
            rows.append(
                {"system": r.system, "name": self.names.get(r.system)}
                | dict[str, Any](r.levels())
                | {"segment": None if seg is None else seg.segment}
            )
        return rows

    def of(self, system: str) -> SystemAssessment:
        for r in self.results:
            if r.system == system:
                return r
        raise NotFoundError(f"system {system} was not assessed in this run")


def assess(
    engine: Engine,
    *,
    as_of: date,
    framework: LoadedFramework | Path | str | None = None,
    source: MeasureSource | None = None,
    systems: Sequence[str] | None = None,
    oversight: OversightConfig = DEFAULT_SYSTEM_CONFIG,
    record: bool = True,
) -> AssessmentRun:
    """Assess systems (default: all in force) as at ``as_of``; record the run unless told not.

    Raises:
        FrameworkChangedError: the framework version was used before with other content.
    """
    loaded = _framework(framework)
    check_unchanged(engine, loaded)
    codes = _systems(engine, as_of, systems)
    source = source or default_source(engine)
    evidence = evidence_as_of(engine, loaded.framework.id, as_of, systems=codes)
    results = tuple(
        evaluate_system(loaded.framework, s, as_of, source, evidence.get(s, {})) for s in codes
    )
    segments = system_oversight(engine, as_of=as_of, source=source, config=oversight, systems=codes)
    snap = Snapshot(engine, as_of)
    names = {s: snap.name(Level.SYSTEM, s) for s in codes}
    run_id = _record(engine, loaded, as_of, results, segments) if record else None
    return AssessmentRun(run_id, loaded, as_of, results, segments, names)


def explain(
    engine: Engine,
    system: str,
    *,
    as_of: date,
    framework: LoadedFramework | Path | str | None = None,
    source: MeasureSource | None = None,
) -> SystemAssessment:
    """Every criterion of one system: value, rule, outcome and evidence (nothing recorded)."""
    loaded = _framework(framework)
    check_unchanged(engine, loaded)
    code = _systems(engine, as_of, [system])[0]
    evidence = evidence_as_of(engine, loaded.framework.id, as_of, systems=[code])
    return evaluate_system(
        loaded.framework, code, as_of, source or default_source(engine), evidence.get(code, {})
    )


def _record(
    engine: Engine,
    loaded: LoadedFramework,
    as_of: date,
    results: Sequence[SystemAssessment],
    segments: OversightResult,
) -> int:
    f = loaded.framework
    parameters = {
        "oversight": segments.config.model_dump(mode="json"),
        "oversight_assumptions": list(segments.assumptions),
    }
    with engine.begin() as conn:
        register_use(conn, loaded)
        key = conn.execute(
            a.assessment_run.insert().values(
                framework_id=f.id,
                version=f.version,
                fingerprint=loaded.fingerprint,
                as_of=as_of,
                run_at=datetime.now(UTC),
                systems=len(results),
                parameters=json.dumps(parameters),
            )
        ).inserted_primary_key
        run_id = int(key[0]) if key else 0
        rows: list[dict[str, Any]] = []
        for r in results:
            for d in r.domains:
                rows.extend(
                    {
                        "kind": "criterion",
                        "domain_id": d.domain,
                        "criterion_id": c.criterion,
                        "value": _finite(c.value),
                        "threshold": c.threshold or None,
                        "outcome": c.outcome,
                        "evidence_id": None if c.evidence is None else c.evidence.evidence_id,
                        "detail": json.dumps({"values": c.values, "rule": c.rule}),
                        "system_code": r.system,
                    }
                    for c in d.criteria
                )
                rows.append(
                    {
                        "kind": "domain",
                        "domain_id": d.domain,
                        "criterion_id": "",
                        "stage": None if d.stage is None else int(d.stage),
                        "score": d.score,
                        "detail": json.dumps({"gates_unmet": list(d.gates_unmet)}),
                        "system_code": r.system,
                    }
                )
            rows.append(
                {
                    "kind": OVERALL,
                    "domain_id": "",
                    "criterion_id": "",
                    "stage": None if r.overall is None else int(r.overall),
                    "score": r.overall_score,
                    "detail": json.dumps({"notes": list(r.notes)}),
                    "system_code": r.system,
                }
            )
            seg = segments.of(r.system)
            if seg is not None:
                rows.append(
                    {
                        "kind": "oversight",
                        "domain_id": "",
                        "criterion_id": "",
                        "stage": seg.segment,
                        "score": seg.score,
                        "detail": json.dumps(seg.row(), default=str),
                        "system_code": r.system,
                    }
                )
        columns = ("value", "threshold", "outcome", "stage", "score", "evidence_id", "detail")
        conn.execute(
            a.assessment_result.insert(),
            [{"run_id": run_id} | dict.fromkeys(columns) | row for row in rows],
        )
    return run_id


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def history(
    engine: Engine, system: str, *, framework_id: str | None = None
) -> list[dict[str, Any]]:
    """The stages of one system in every recorded run, oldest assessment date first."""
    r, res = a.assessment_run, a.assessment_result
    query = (
        select(
            r.c.id,
            r.c.as_of,
            r.c.run_at,
            r.c.framework_id,
            r.c.version,
            res.c.kind,
            res.c.domain_id,
            res.c.stage,
        )
        .join(res, res.c.run_id == r.c.id)
        .where(res.c.system_code == system, res.c.kind.in_(["domain", OVERALL, "oversight"]))
        .order_by(r.c.as_of, r.c.id)
    )
    if framework_id is not None:
        query = query.where(r.c.framework_id == framework_id)
    runs: dict[int, dict[str, Any]] = {}
    with engine.connect() as conn:
        for run_id, as_of, run_at, fid, version, kind, domain, stage in conn.execute(query):
            row = runs.setdefault(
                run_id,
                {
                    "run": run_id,
                    "as_of": as_of,
                    "framework": f"{fid} v{version}",
                    "run_at": run_at.isoformat(timespec="seconds"),
                },
            )
            label = _stage_label(stage)
            if kind == "domain":
                row[domain] = label
            elif kind == OVERALL:
                row[OVERALL] = label
            else:
                row["segment"] = stage
    return list(runs.values())


def _stage_label(stage: int | None) -> str | None:
    from icsys.assessment.frameworks.model import Stage  # noqa: PLC0415 - tiny, local use

    return None if stage is None else Stage(stage).label


@dataclass(frozen=True)
class SensitivityChange:
    system: str
    what: str  # criterion key, domain id or "overall"
    before: str | None
    after: str | None


def sensitivity(
    engine: Engine,
    changes: Mapping[str, float],
    *,
    as_of: date,
    framework: LoadedFramework | Path | str | None = None,
    source: MeasureSource | None = None,
    systems: Sequence[str] | None = None,
) -> list[SensitivityChange]:
    """What changes — criterion outcomes, domain and overall stages — if weights or thresholds
    change (keys as :func:`icsys.assessment.frameworks.with_changes`). Nothing is recorded."""
    loaded = _framework(framework)
    changed = with_changes(loaded, changes)
    codes = _systems(engine, as_of, systems)
    source = source or default_source(engine)
    evidence = evidence_as_of(engine, loaded.framework.id, as_of, systems=codes)
    out: list[SensitivityChange] = []
    for s in codes:
        before = evaluate_system(loaded.framework, s, as_of, source, evidence.get(s, {}))
        after = evaluate_system(changed.framework, s, as_of, source, evidence.get(s, {}))
        out.extend(diff_assessments(before, after))
    return out


def diff_assessments(before: SystemAssessment, after: SystemAssessment) -> list[SensitivityChange]:
    out = [
        SensitivityChange(before.system, b.key, b.outcome, c.outcome)
        for b, c in zip(before.criteria(), after.criteria(), strict=True)
        if b.outcome != c.outcome
    ]
    for old, new in zip(before.levels().items(), after.levels().items(), strict=True):
        if old[1] != new[1]:
            out.append(SensitivityChange(before.system, old[0], old[1], new[1]))
    return out


def sensitivity_sweep(
    engine: Engine,
    *,
    as_of: date,
    framework: LoadedFramework | Path | str | None = None,
    source: MeasureSource | None = None,
    systems: Sequence[str] | None = None,
    relative: float = 0.1,
    stage_step: float = 0.05,
) -> list[dict[str, Any]]:
    """For every parameter (±``relative``) and stage threshold (±``stage_step``): how many
    systems change overall stage, and which."""
    loaded = _framework(framework)
    codes = _systems(engine, as_of, systems)
    source = source or default_source(engine)
    evidence = evidence_as_of(engine, loaded.framework.id, as_of, systems=codes)
    base = {
        s: evaluate_system(loaded.framework, s, as_of, source, evidence.get(s, {})) for s in codes
    }
    f = loaded.framework
    trials: list[tuple[str, float, float]] = []
    for stage in ("developing", "maturing", "thriving"):
        value = getattr(f.stages, stage)
        trials += [
            (f"stages.{stage}", value, round(value + d, 6)) for d in (-stage_step, stage_step)
        ]
    for d in f.domains:
        for c in d.criteria:
            for p, v in c.params.items():
                trials += [
                    (f"{d.id}.{c.id}.{p}", v, v * (1 + k * relative) if v else k * relative)
                    for k in (-1, 1)
                ]
    rows = []
    for key, old, new in trials:
        try:
            changed = with_changes(loaded, {key: new}).framework
        except UserError:
            continue  # e.g. stage thresholds that would no longer increase
        moved = []
        for s in codes:
            after = evaluate_system(changed, s, as_of, source, evidence.get(s, {}))
            if after.overall != base[s].overall:
                moved.append(f"{s}:{_label(base[s])}→{_label(after)}")
        rows.append(
            {
                "change": key,
                "from": old,
                "to": round(new, 6),
                "systems_changing_overall": len(moved),
                "which": "; ".join(moved),
            }
        )
    return rows


def _label(assessment: SystemAssessment) -> str:
    return assessment.overall.label if assessment.overall else "none"


# --- peers, comparison, oversight -----------------------------------------------------------
def peer_model(engine: Engine, *, as_of: date, config: PeerConfig | None = None) -> PeerModel:
    """The peer model of every system in force at ``as_of`` (features from the register)."""
    return build_peer_model(system_features(Snapshot(engine, as_of)), config)


def peer_rows(
    model: PeerModel, system: str, names: Mapping[str, str | None], n: int | None = None
) -> list[dict[str, Any]]:
    """The peers of ``system`` with their distance and explanation, as rows."""
    rows = []
    for p in model.peers(system, n):
        top = sorted(p.contributions, key=lambda c: (-c.share, c.feature))[:3]
        rows.append(
            {
                "rank": p.rank,
                "peer": p.code,
                "name": names.get(p.code),
                "distance": round(p.distance, 3),
                "differs_most_on": ", ".join(f"{c.feature} ({100 * c.share:.0f}%)" for c in top),
                "alike_on": ", ".join(p.alike),
            }
        )
    return rows


def compare(
    engine: Engine,
    measure: str,
    system: str,
    *,
    as_of: date,
    source: MeasureSource | None = None,
    peers: PeerModel | None = None,
) -> Comparison:
    """``system``'s value of ``measure`` against England, its region and its peers."""
    snap = Snapshot(engine, as_of)
    code = snap.resolve_system(system)
    systems = snap.codes(Level.SYSTEM)
    model = peers or peer_model(engine, as_of=as_of)
    return compare_measure(
        source or default_source(engine),
        measure,
        code,
        as_of,
        systems=systems,
        region_of=snap.region_of_system,
        peers=[p.code for p in model.peers(code)],
    )


def system_oversight(
    engine: Engine,
    *,
    as_of: date,
    source: MeasureSource | None = None,
    config: OversightConfig = DEFAULT_SYSTEM_CONFIG,
    systems: Sequence[str] | None = None,
) -> OversightResult:
    """Oversight segments of systems from their measures and indicators."""
    snap = Snapshot(engine, as_of)
    codes = list(systems) if systems is not None else snap.codes(Level.SYSTEM)
    source = source or default_source(engine)
    names = [m.name for m in config.metrics]
    if config.finance.measure:
        names.append(config.finance.measure)
    values = {s: {n: source.value(n, s, as_of) for n in names} for s in codes}
    region = snap.region_of_system
    groups = {
        s: (region.get(s) or "none") if config.peer_groups == "region" else "all" for s in codes
    }
    return segment(values, groups, config)


def provider_oversight(
    engine: Engine,
    mart: IndicatorMart,
    *,
    as_of: date,
    config: OversightConfig = DEFAULT_PROVIDER_CONFIG,
) -> OversightResult:
    """Oversight segments of NHS trusts from the trust-level rows of the indicator mart, peer
    groups by trust type."""
    trusts = {
        r.code: str(r.extra.get("trust_type") or "unknown")
        for r in Snapshot(engine, as_of).rows(Level.TRUST)
    }
    names = [m.name for m in config.metrics]
    values: dict[str, dict[str, float | None]] = {}
    for name in names:
        for code in mart.levels(name.removeprefix("indicator."), Level.TRUST):
            obs = mart.area_observation(name, Level.TRUST, code, as_of)
            values.setdefault(code, {})[name] = None if obs is None else obs.value
    values = {c: {n: v.get(n) for n in names} for c, v in values.items()}
    groups = {
        c: trusts.get(c, "unknown") if config.peer_groups == "trust_type" else "all" for c in values
    }
    return segment(values, groups, config)
