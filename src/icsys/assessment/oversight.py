"""Oversight segmentation in the manner of the NHS Oversight Framework (methods.md §2).

Four steps, each configurable (:class:`OversightConfig`):

1. each metric is scored 1 (best) to 4 — continuously by rank within the peer group,
   ``1 + 3·(rank − 1)/(n − 1)``, or discretely by three cut points;
2. an organisation's score is the mean of its available counted metric scores (metrics marked
   ``counts: false`` — population health and inequalities — are scored and shown, not counted);
   fewer than ``min_metrics`` counted scores gives no segment;
3. the segment is the quartile of the score within the peer group (NOF 2025/26) or set by fixed
   score cut points (NOF 2026/27 style);
4. the financial adjustment: an organisation whose deficit measure is above the threshold is
   placed in at least ``min_segment``.

League rank within the peer group: by segment, then by score. Segment 5 (intensive support)
needs a judgement of capability that no metric gives, so it is never assigned. Every assumption
that is ours and not NHS England's is listed in the result (:attr:`OversightResult.assumptions`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricRule(_Model):
    name: str
    title: str = ""
    direction: Literal["increase", "decrease"]
    scoring: Literal["rank", "thresholds"] = "rank"
    cuts: tuple[float, float, float] | None = None  # best-to-worst boundaries for scores 1|2|3|4
    counts: bool = True

    @model_validator(mode="after")
    def _cuts(self) -> MetricRule:
        if (self.scoring == "thresholds") != (self.cuts is not None):
            raise ValueError(f"metric {self.name!r}: cuts are needed with (only with) thresholds")
        if self.cuts is not None:
            c = self.cuts
            ordered = c[0] >= c[1] >= c[2] if self.direction == "increase" else c[0] <= c[1] <= c[2]
            if not ordered:
                raise ValueError(f"metric {self.name!r}: cuts must run from best to worst")
        return self


class FinancialAdjustment(_Model):
    measure: str | None = None  # e.g. a deficit as a share of allocation; None = no adjustment
    threshold: float = 0.0
    min_segment: int = Field(default=3, ge=1, le=4)


class OversightConfig(_Model):
    metrics: tuple[MetricRule, ...] = Field(min_length=1)
    segmentation: Literal["quartile", "thresholds"] = "quartile"
    segment_cuts: tuple[float, float, float] = (1.75, 2.5, 3.25)
    peer_groups: Literal["all", "region", "trust_type"] = "all"
    min_metrics: int = Field(default=3, ge=1)
    finance: FinancialAdjustment = FinancialAdjustment()


DEFAULT_SYSTEM_CONFIG = OversightConfig(
    metrics=(
        MetricRule(
            name="indicator.ae_4hr_performance", title="A&E within 4 hours", direction="increase"
        ),
        MetricRule(
            name="indicator.rtt_52_week_waits",
            title="RTT waits over 52 weeks",
            direction="decrease",
        ),
        MetricRule(
            name="indicator.cancer_early_diagnosis",
            title="Cancers diagnosed at stage 1-2",
            direction="increase",
        ),
        MetricRule(
            name="indicator.emergency_admissions_dsr",
            title="Emergency admissions (DSR)",
            direction="decrease",
            counts=False,
        ),
        MetricRule(
            name="indicator.smoking_prevalence",
            title="Smoking prevalence",
            direction="decrease",
            counts=False,
        ),
        MetricRule(
            name="governance.stable_12m_share",
            title="Leadership stable 12 months",
            direction="increase",
        ),
        MetricRule(
            name="governance.vacancy_share", title="Leadership posts vacant", direction="decrease"
        ),
        MetricRule(
            name="governance.papers_on_time_share",
            title="Papers published on time",
            direction="increase",
        ),
        MetricRule(
            name="governance.public_meeting_share",
            title="Meetings with a public part",
            direction="increase",
        ),
    ),
)
DEFAULT_PROVIDER_CONFIG = OversightConfig(
    metrics=(
        MetricRule(
            name="indicator.ae_4hr_performance", title="A&E within 4 hours", direction="increase"
        ),
        MetricRule(
            name="indicator.ae_12hr_waits", title="12-hour waits from arrival", direction="decrease"
        ),
        MetricRule(
            name="indicator.rtt_52_week_waits",
            title="RTT waits over 52 weeks",
            direction="decrease",
        ),
    ),
    peer_groups="trust_type",
    min_metrics=1,
)


def assumptions(config: OversightConfig) -> list[str]:
    """The choices in this method that are ours, not NHS England's, named for the output."""
    out = [
        (
            "metric scores 1-4 by rank within the peer group, 1 + 3(rank-1)/(n-1), ties sharing "
            "the best rank: NHS England's per-metric continuous scoring formula is not published"
        ),
        f"an organisation needs at least {config.min_metrics} counted metric scores for a segment",
        "segment 5 (intensive support, NPIP) is never assigned: it needs a capability judgement",
        "metrics are icsys measures and indicators chosen in the configuration, not the NOF list",
    ]
    if any(m.scoring == "thresholds" for m in config.metrics):
        out.append(
            "discrete metric cut points are ours: "
            + ", ".join(f"{m.name} {m.cuts}" for m in config.metrics if m.cuts)
        )
    if config.segmentation == "thresholds":
        out.append(f"segment cut points on the average score {config.segment_cuts} are ours")
    else:
        out.append(
            "segments are quartiles of the average score within the peer group (NOF "
            "2025/26); ties share the better segment"
        )
    if config.finance.measure is None:
        out.append("no financial adjustment: no deficit measure configured")
    else:
        out.append(
            f"financial adjustment is ours: {config.finance.measure} > {config.finance.threshold} "
            f"places an organisation in segment {config.finance.min_segment} or worse"
        )
    if config.peer_groups == "region":
        out.append("systems are segmented within their NHS region (ours)")
    if any(not m.counts for m in config.metrics):
        out.append(
            "population-health metrics are scored but not counted (as NHS Providers "
            "describes NOF 2025/26)"
        )
    return out


def score_metric(values: Mapping[str, float], rule: MetricRule) -> dict[str, float]:
    """Scores 1 (best) to 4 for the organisations of one peer group."""
    if rule.scoring == "thresholds":
        assert rule.cuts is not None  # noqa: S101 - validated
        sign = 1 if rule.direction == "increase" else -1
        return {
            org: float(next((i + 1 for i, c in enumerate(rule.cuts) if sign * v >= sign * c), 4))
            for org, v in values.items()
        }
    n = len(values)
    if n == 1:
        return dict.fromkeys(values, 1.0)
    sign = -1 if rule.direction == "increase" else 1
    out = {}
    for org, v in values.items():
        rank = 1 + sum(sign * other < sign * v for other in values.values())
        out[org] = 1 + 3 * (rank - 1) / (n - 1)
    return out


@dataclass(frozen=True)
class OrgSegment:
    org: str
    peer_group: str
    metric_scores: Mapping[str, float]
    metric_values: Mapping[str, float]
    score: float | None
    counted_metrics: int
    segment_before_finance: int | None
    segment: int | None
    finance_note: str | None
    league_rank: int | None
    league_of: int

    def row(self) -> dict[str, object]:
        return {
            "org": self.org,
            "peer_group": self.peer_group,
            "score": None if self.score is None else round(self.score, 3),
            "metrics": self.counted_metrics,
            "segment": self.segment,
            "league_rank": self.league_rank,
            "of": self.league_of,
            "finance": self.finance_note,
            **{f"score:{k}": round(v, 3) for k, v in sorted(self.metric_scores.items())},
        }


@dataclass(frozen=True)
class OversightResult:
    rows: tuple[OrgSegment, ...]
    assumptions: tuple[str, ...]
    config: OversightConfig

    def of(self, org: str) -> OrgSegment | None:
        return next((r for r in self.rows if r.org == org), None)


def segment(
    values: Mapping[str, Mapping[str, float | None]],
    peer_group_of: Mapping[str, str],
    config: OversightConfig,
) -> OversightResult:
    """Segment organisations from their metric values (``{org: {metric: value}}``)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for org in sorted(values):
        groups[peer_group_of.get(org, "all")].append(org)
    rows: list[OrgSegment] = []
    for group, orgs in sorted(groups.items()):
        scores: dict[str, dict[str, float]] = {o: {} for o in orgs}
        for rule in config.metrics:
            present = {
                o: float(v)
                for o in orgs
                if (v := values[o].get(rule.name)) is not None and math.isfinite(v)
            }
            for o, s in score_metric(present, rule).items():
                scores[o][rule.name] = s
        counted = {m.name for m in config.metrics if m.counts}
        mean: dict[str, float | None] = {}
        for o in orgs:
            used = [s for m, s in scores[o].items() if m in counted]
            mean[o] = math.fsum(used) / len(used) if len(used) >= config.min_metrics else None
        scored = sorted((s, o) for o, s in mean.items() if s is not None)
        before: dict[str, int] = {}
        for s, o in scored:
            if config.segmentation == "quartile":
                position = sum(other < s for other, _ in scored)
                before[o] = 1 + (4 * position) // len(scored)
            else:
                before[o] = 1 + sum(s > cut for cut in config.segment_cuts)
        final: dict[str, int] = {}
        notes: dict[str, str | None] = {}
        for o, seg in before.items():
            final[o], notes[o] = seg, None
            fin = config.finance
            deficit = values[o].get(fin.measure) if fin.measure else None
            if deficit is not None and deficit > fin.threshold and seg < fin.min_segment:
                final[o] = fin.min_segment
                notes[o] = (
                    f"deficit {deficit:g} > {fin.threshold:g}: segment {seg} → {fin.min_segment}"
                )
        league = sorted((final[o], mean[o] or 0.0, o) for o in final)
        place = {o: i for i, (_, _, o) in enumerate(league, start=1)}
        rows.extend(
            OrgSegment(
                o,
                group,
                scores[o],
                {m: float(v) for m, v in values[o].items() if v is not None},
                mean[o],
                sum(1 for m in scores[o] if m in counted),
                before.get(o),
                final.get(o),
                notes.get(o),
                place.get(o),
                len(league),
            )
            for o in orgs
        )
    return OversightResult(tuple(rows), tuple(assumptions(config)), config)
