"""Reading recorded assessment runs: the stages of each system in each run, the framework text a
run used, and the oversight rules it was run with (what the portal and API publish)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml
from sqlalchemy import Engine, RowMapping, func, select

from icsys.assessment.frameworks.loader import LoadedFramework, from_data
from icsys.assessment.frameworks.model import Stage
from icsys.assessment.oversight import DEFAULT_SYSTEM_CONFIG, OversightConfig
from icsys.errors import NotFoundError
from icsys.store import assessment_models as a


@dataclass(frozen=True)
class RecordedRun:
    id: int
    framework_id: str
    version: int
    fingerprint: str
    as_of: date
    run_at: datetime
    systems: int
    parameters: dict[str, object]

    @property
    def oversight_config(self) -> OversightConfig:
        """The oversight rules the run used (the default for runs that did not record them)."""
        found = self.parameters.get("oversight")
        if not isinstance(found, dict):
            return DEFAULT_SYSTEM_CONFIG
        return OversightConfig.model_validate(found)


@dataclass
class RecordedResult:
    """One system in one run: the stage of each domain and overall, and the segment."""

    run: RecordedRun
    system_code: str
    domains: dict[str, str | None] = field(default_factory=dict)
    overall: str | None = None
    overall_score: float | None = None
    segment: int | None = None


def latest_run_id(engine: Engine) -> int | None:
    """The newest run's id (a cheap version stamp of the recorded assessments)."""
    with engine.connect() as conn:
        found = conn.execute(select(func.max(a.assessment_run.c.id))).scalar()
    return None if found is None else int(found)


def _run(r: RowMapping) -> RecordedRun:
    try:
        parameters = json.loads(r["parameters"] or "{}")
    except json.JSONDecodeError:
        parameters = {}
    return RecordedRun(
        int(r["id"]),
        str(r["framework_id"]),
        int(r["version"]),
        str(r["fingerprint"]),
        r["as_of"],
        r["run_at"],
        int(r["systems"]),
        parameters if isinstance(parameters, dict) else {},
    )


def recorded_results(
    engine: Engine,
    *,
    systems: Sequence[str] | None = None,
    framework_id: str | None = None,
    until: date | None = None,
) -> list[RecordedResult]:
    """Every (run, system) recorded, newest assessment date first (then newest run)."""
    run, res = a.assessment_run, a.assessment_result
    query = (
        select(run, res.c.system_code, res.c.kind, res.c.domain_id, res.c.stage, res.c.score)
        .join(res, res.c.run_id == run.c.id)
        .where(res.c.kind.in_(["domain", "overall", "oversight"]))
        .order_by(run.c.as_of.desc(), run.c.id.desc(), res.c.system_code)
    )
    if systems is not None:
        query = query.where(res.c.system_code.in_(list(systems)))
    if framework_id is not None:
        query = query.where(run.c.framework_id == framework_id)
    if until is not None:
        query = query.where(run.c.as_of <= until)
    runs: dict[int, RecordedRun] = {}
    found: dict[tuple[int, str], RecordedResult] = {}
    with engine.connect() as conn:
        for m in conn.execute(query).mappings():
            run_id = int(m["id"])
            if run_id not in runs:
                runs[run_id] = _run(m)
            key = (run_id, str(m["system_code"]))
            item = found.setdefault(key, RecordedResult(runs[run_id], key[1]))
            stage = m["stage"]
            if m["kind"] == "domain":
                item.domains[str(m["domain_id"])] = _label(stage)
            elif m["kind"] == "overall":
                item.overall, item.overall_score = _label(stage), m["score"]
            else:
                item.segment = None if stage is None else int(stage)
    return list(found.values())


def _label(stage: int | None) -> str | None:
    return None if stage is None else Stage(int(stage)).label


def recorded_framework(engine: Engine, framework_id: str, version: int) -> LoadedFramework:
    """The exact framework text a store ran under ``framework_id`` and ``version``.

    Raises:
        NotFoundError: the store never ran that version.
    """
    t = a.assessment_framework
    with engine.connect() as conn:
        text = conn.execute(
            select(t.c.canonical).where(t.c.framework_id == framework_id, t.c.version == version)
        ).scalar_one_or_none()
    if text is None:
        raise NotFoundError(f"framework {framework_id} v{version} was never run in this store")
    return from_data(yaml.safe_load(text), f"{framework_id} v{version} (as recorded)")
