"""Evaluating a framework for one system as at a date: criteria → domain stages → overall stage.

Outcomes: ``met``, ``not_met``; ``no_data`` (a computed rule whose inputs are missing: counts as
not met, or is left out of the domain score when the criterion says ``missing: exclude``);
``no_evidence`` and ``pending`` (an evidenced criterion with no submission, or one not yet
accepted by a reviewer: not met). A domain whose criteria are all left out has no stage and is
left out of the overall stage (the result says so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from icsys.assessment.evidence import EvidenceStatus
from icsys.assessment.frameworks.expr import Trace
from icsys.assessment.frameworks.model import Criterion, Domain, Framework, Stage
from icsys.assessment.measures import MeasureSource

Outcome = Literal["met", "not_met", "no_data", "no_evidence", "pending"]
EPSILON = 1e-9


@dataclass(frozen=True)
class CriterionResult:
    domain: str
    criterion: str
    title: str
    kind: str
    rule: str
    params: Mapping[str, float]
    values: Mapping[str, float | None]
    outcome: Outcome
    weight: float
    required_for: str | None
    counted: bool
    cites: tuple[str, ...]
    evidence: EvidenceStatus | None = None

    @property
    def key(self) -> str:
        return f"{self.domain}.{self.criterion}"

    @property
    def value(self) -> float | None:
        """The first value the rule looked at (the one its threshold applies to)."""
        return next(iter(self.values.values()), None)

    @property
    def threshold(self) -> str:
        return ", ".join(f"{k}={v:g}" for k, v in self.params.items())

    @property
    def met(self) -> bool:
        return self.outcome == "met"

    def row(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "domain": self.domain,
            "criterion": self.criterion,
            "kind": self.kind,
            "rule": self.rule,
            "value": self.value,
            "threshold": self.threshold or None,
            "outcome": self.outcome,
            "weight": self.weight,
            "required_for": self.required_for,
            "evidence": None if ev is None else ev.link,
            "cites": "; ".join(self.cites),
        }


@dataclass(frozen=True)
class DomainResult:
    domain: str
    title: str
    weight: float
    score: float | None
    stage: Stage | None
    gates_unmet: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class SystemAssessment:
    system: str
    as_of: date
    framework: str
    version: int
    domains: tuple[DomainResult, ...]
    overall: Stage | None
    overall_score: float | None
    notes: tuple[str, ...] = field(default=())

    def criteria(self) -> list[CriterionResult]:
        return [c for d in self.domains for c in d.criteria]

    def levels(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {
            d.domain: d.stage.label if d.stage else None for d in self.domains
        }
        out["overall"] = self.overall.label if self.overall else None
        return out


@dataclass
class _Lookup:
    source: MeasureSource
    system: str
    as_of: date

    def value(self, ref: str) -> float | None:
        return self.source.value(ref, self.system, self.as_of)

    def series(self, ref: str) -> Sequence[tuple[date, float]]:
        return self.source.series(ref, self.system, self.as_of)


def evaluate_criterion(
    domain: Domain,
    criterion: Criterion,
    lookup: _Lookup,
    evidence: EvidenceStatus | None,
) -> CriterionResult:
    values: dict[str, float | None] = {}
    outcome: Outcome
    if criterion.kind == "computed":
        trace = Trace()
        result = criterion.expression.evaluate(lookup, criterion.params, trace)
        values = {**trace.values, **{k: _as_float(v) for k, v in trace.calls.items()}}
        outcome = "no_data" if result is None else "met" if result else "not_met"
        rule = criterion.rule or ""
    else:
        rule = criterion.statement or ""
        if evidence is None:
            outcome = "no_evidence"
        else:
            outcome = {"accepted": "met", "rejected": "not_met"}.get(evidence.outcome, "pending")  # type: ignore[assignment]
    counted = not (outcome == "no_data" and criterion.missing == "exclude")
    return CriterionResult(
        domain.id,
        criterion.id,
        criterion.title,
        criterion.kind,
        rule,
        dict(criterion.params),
        values,
        outcome,
        criterion.weight,
        criterion.required_for,
        counted,
        criterion.cites,
        evidence,
    )


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return None


def score_domain(
    framework: Framework, domain: Domain, results: Sequence[CriterionResult]
) -> DomainResult:
    """Weighted share met, then the highest stage whose threshold and gates are both met."""
    counted = [r for r in results if r.counted]
    total = math.fsum(r.weight for r in counted)
    if not counted or total == 0:
        return DomainResult(domain.id, domain.title, domain.weight, None, None, (), tuple(results))
    score = math.fsum(r.weight for r in counted if r.met) / total
    thresholds = framework.thresholds(domain)
    stage = Stage.EMERGING
    gates_unmet: list[str] = []
    for candidate in (Stage.DEVELOPING, Stage.MATURING, Stage.THRIVING):
        gates = [
            r.criterion
            for r in results
            if r.required_for is not None and Stage.parse(r.required_for) <= candidate and not r.met
        ]
        if score + EPSILON < thresholds.for_stage(candidate):
            break
        if gates:
            gates_unmet = gates
            break
        stage = candidate
    return DomainResult(
        domain.id, domain.title, domain.weight, score, stage, tuple(gates_unmet), tuple(results)
    )


def overall_stage(
    framework: Framework, domains: Sequence[DomainResult]
) -> tuple[Stage | None, float | None]:
    """Domain-weighted mean of the domain stages, rounded down, capped above the lowest."""
    staged = [d for d in domains if d.stage is not None]
    if not staged:
        return None, None
    weight = math.fsum(d.weight for d in staged)
    mean = math.fsum(d.weight * int(d.stage or 1) for d in staged) / weight
    stage = math.floor(mean + EPSILON)
    cap = framework.overall.cap_above_lowest
    if cap is not None:
        stage = min(stage, min(int(d.stage or 1) for d in staged) + cap)
    return Stage(max(1, min(4, stage))), mean


def evaluate_system(
    framework: Framework,
    system: str,
    as_of: date,
    source: MeasureSource,
    evidence: Mapping[str, EvidenceStatus] | None = None,
) -> SystemAssessment:
    """Every criterion of ``framework`` for ``system`` as at ``as_of``.

    ``evidence`` maps ``domain.criterion`` to the evidence in force for the system at the date.
    """
    evidence = evidence or {}
    lookup = _Lookup(source, system, as_of)
    domains = []
    for domain in framework.domains:
        results = [
            evaluate_criterion(domain, c, lookup, evidence.get(f"{domain.id}.{c.id}"))
            for c in domain.criteria
        ]
        domains.append(score_domain(framework, domain, results))
    overall, mean = overall_stage(framework, domains)
    notes = tuple(
        f"{d.domain}: no data for any counted criterion; left out of the overall stage"
        for d in domains
        if d.stage is None
    )
    return SystemAssessment(
        system, as_of, framework.id, framework.version, tuple(domains), overall, mean, notes
    )
