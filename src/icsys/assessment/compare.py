"""Like-for-like comparison of one system's value with England, its region and its peers.

For each comparator group:

* **comparator value** — for proportions and rates, pooled over the group's systems
  (``Σ numerator / Σ denominator × multiplier``); otherwise the unweighted mean of their values.
  England and the region include the system itself (as Fingertips does); *peers* are the peers
  only, so the question is "are we different from systems like us".
* **rank and quartile** within the group, the system included: rank 1 is the best value for the
  measure's direction of improvement (highest first when the direction is neutral); ties share
  the best rank; quartile ``1 + ⌊4 (rank − 1) / n⌋`` (1 = the best quarter).
* **funnel limits** at the system's denominator around the comparator, at 95 % and 99.8 %:
  proportions use the **Wilson score** formula of methods.md §3.2 with ``x = p₀·n`` (not the
  normal approximation): ``(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))``; rates use **Byar's**
  limits of methods.md §3.1 on the expected count ``E = r₀·n / multiplier``, divided by ``n`` and
  times the multiplier. Measures without a numerator and denominator get no funnel.
* **significance** — the comparator lies outside the system's own 95 % interval (Wilson for a
  proportion, exact/Byar's crude-rate limits for a rate, or the limits the source gives): the
  system is *higher* or *lower*, and *better* or *worse* by the measure's direction.

The **SPC picture** is the XmR chart (NHSRplotthedots preset) of the system's series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from icsys.analytics.methods.intervals import byar_lower, byar_upper, crude_rate, wilson_interval
from icsys.analytics.methods.spc import xmr_chart
from icsys.assessment.measures import Direction, MeasureSource, Observation

CONFIDENCE_LEVELS = (0.95, 0.998)
Position = Literal["above_99.8", "above_95", "within_95", "below_95", "below_99.8"]
Significance = Literal["higher", "lower", "similar"]
Judgement = Literal["better", "worse", "similar", "not_judged"]


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits at one denominator around a comparator value."""

    method: str
    comparator: float
    denominator: float
    lower_95: float | None
    upper_95: float | None
    lower_998: float | None
    upper_998: float | None


def proportion_funnel(p0: float, n: float, *, multiplier: float = 1.0) -> FunnelLimits:
    """Wilson-score funnel limits for a proportion ``p0`` (as a fraction × ``multiplier``)."""
    p = p0 / multiplier
    if not 0 <= p <= 1 or n <= 0:
        raise ValueError(f"need 0 ≤ p0 ≤ 1 and n > 0, got p0={p}, n={n}")
    limits = [wilson_interval(p * n, n, c) for c in CONFIDENCE_LEVELS]

    def scale(x: float | None) -> float | None:
        return None if x is None else x * multiplier

    return FunnelLimits(
        "Wilson score (methods.md §3.2) with x = p0·n",
        p0,
        n,
        scale(limits[0].lower),
        scale(limits[0].upper),
        scale(limits[1].lower),
        scale(limits[1].upper),
    )


def rate_funnel(r0: float, n: float, *, multiplier: float) -> FunnelLimits:
    """Byar funnel limits for a rate ``r0`` per ``multiplier`` at population ``n``."""
    if r0 < 0 or n <= 0:
        raise ValueError(f"need r0 ≥ 0 and n > 0, got r0={r0}, n={n}")
    expected = r0 * n / multiplier
    factor = multiplier / n

    def lower(c: float) -> float | None:
        found = byar_lower(expected, c)
        return None if found is None else found * factor

    return FunnelLimits(
        "Byar's limits (methods.md §3.1) on the expected count E = r0·n/multiplier",
        r0,
        n,
        lower(0.95),
        byar_upper(expected, 0.95) * factor,
        lower(0.998),
        byar_upper(expected, 0.998) * factor,
    )


def funnel_position(value: float, limits: FunnelLimits) -> Position:
    if limits.upper_998 is not None and value > limits.upper_998:
        return "above_99.8"
    if limits.lower_998 is not None and value < limits.lower_998:
        return "below_99.8"
    if limits.upper_95 is not None and value > limits.upper_95:
        return "above_95"
    if limits.lower_95 is not None and value < limits.lower_95:
        return "below_95"
    return "within_95"


def own_interval(obs: Observation) -> tuple[float | None, float | None]:
    """The system's 95 % interval: given, or Wilson / crude-rate limits from its counts."""
    if obs.lower is not None and obs.upper is not None:
        return obs.lower, obs.upper
    num, den = obs.numerator, obs.denominator
    if num is None or den is None or den <= 0 or num < 0:
        return None, None
    if obs.kind == "proportion" and num <= den:
        interval = wilson_interval(num, den)
        lo, hi = interval.lower, interval.upper
        return (None if lo is None else lo * obs.multiplier), (
            None if hi is None else hi * obs.multiplier
        )
    if obs.kind == "rate":
        rate = crude_rate(num, den, multiplier=obs.multiplier)
        return rate.lower, rate.upper
    return None, None


def significance(obs: Observation, comparator: float | None) -> Significance | None:
    if obs.value is None or comparator is None:
        return None
    lower, upper = own_interval(obs)
    if lower is None or upper is None:
        return None
    if comparator < lower:
        return "higher"
    if comparator > upper:
        return "lower"
    return "similar"


def judge(sig: Significance | None, direction: Direction) -> Judgement:
    if sig is None or direction == "neutral":
        return "not_judged" if sig != "similar" else "similar"
    if sig == "similar":
        return "similar"
    good = "higher" if direction == "increase" else "lower"
    return "better" if sig == good else "worse"


def rank_of(value: float, values: Sequence[float], direction: Direction) -> int:
    """Competition rank (1 = best) of ``value`` among ``values`` (which include it)."""
    if direction == "decrease":
        return 1 + sum(v < value for v in values)
    return 1 + sum(v > value for v in values)


def quartile(rank: int, n: int) -> int:
    return 1 + (4 * (rank - 1)) // n


def pooled(observations: Sequence[Observation]) -> tuple[float | None, str]:
    """The group's comparator value and how it was made."""
    known = [o for o in observations if o.value is not None]
    if not known:
        return None, "no values"
    kind = known[0].kind
    if kind in {"proportion", "rate"} and all(
        o.numerator is not None and o.denominator is not None and o.kind == kind for o in known
    ):
        den = math.fsum(o.denominator or 0.0 for o in known)
        if den > 0:
            num = math.fsum(o.numerator or 0.0 for o in known)
            return num / den * known[0].multiplier, "pooled (Σ numerator / Σ denominator)"
    return math.fsum(o.value or 0.0 for o in known) / len(known), "mean of system values"


@dataclass(frozen=True)
class GroupComparison:
    group: str  # england | region | peers
    label: str
    systems: int
    comparator: float | None
    comparator_method: str
    rank: int | None
    of: int
    quartile: int | None
    funnel: FunnelLimits | None
    position: Position | None
    significance: Significance | None
    judgement: Judgement


@dataclass(frozen=True)
class SpcSummary:
    preset: str
    points: int
    last_date: date | None
    last_value: float
    last_point_type: str
    variation_icon: str | None
    assurance_icon: str | None
    special_cause_points: int


@dataclass(frozen=True)
class Comparison:
    measure: str
    system: str
    as_of: date
    observation: Observation | None
    groups: tuple[GroupComparison, ...]
    spc: SpcSummary | None
    notes: tuple[str, ...]

    def rows(self) -> list[dict[str, object]]:
        obs = self.observation
        out: list[dict[str, object]] = []
        for g in self.groups:
            f = g.funnel
            out.append(
                {
                    "measure": self.measure,
                    "system": self.system,
                    "value": None if obs is None else obs.value,
                    "numerator": None if obs is None else obs.numerator,
                    "denominator": None if obs is None else obs.denominator,
                    "comparator": g.label,
                    "comparator_value": g.comparator,
                    "comparator_method": g.comparator_method,
                    "rank": g.rank,
                    "of": g.of,
                    "quartile": g.quartile,
                    "lower_99.8": None if f is None else f.lower_998,
                    "lower_95": None if f is None else f.lower_95,
                    "upper_95": None if f is None else f.upper_95,
                    "upper_99.8": None if f is None else f.upper_998,
                    "funnel_position": g.position,
                    "significance": g.significance,
                    "judgement": g.judgement,
                }
            )
        return out


def funnel_for(obs: Observation, comparator: float | None) -> FunnelLimits | None:
    if comparator is None or obs.denominator is None or obs.denominator <= 0:
        return None
    if obs.kind == "proportion":
        if not 0 <= comparator / obs.multiplier <= 1:
            return None
        return proportion_funnel(comparator, obs.denominator, multiplier=obs.multiplier)
    if obs.kind == "rate" and comparator >= 0:
        return rate_funnel(comparator, obs.denominator, multiplier=obs.multiplier)
    return None


def compare_measure(
    source: MeasureSource,
    measure: str,
    system: str,
    as_of: date,
    *,
    systems: Sequence[str],
    region_of: Mapping[str, str | None],
    peers: Sequence[str],
    direction: Direction | None = None,
) -> Comparison:
    """Compare ``system``'s value of ``measure`` with England, its region and its peers."""
    everyone = sorted(set(systems) | {system})
    obs_of = {s: source.observation(measure, s, as_of) for s in everyone}
    own = obs_of[system]
    notes: list[str] = []
    way: Direction = direction or (own.direction if own is not None else "neutral")
    if way == "neutral":
        notes.append("no direction of improvement: ranked highest first, not judged")
    region = region_of.get(system)
    groups_spec = [
        ("england", "England", everyone, True),
        (
            "region",
            f"region {region}" if region else "region (unknown)",
            [s for s in everyone if region and region_of.get(s) == region],
            True,
        ),
        ("peers", f"peers ({len(peers)})", sorted(set(peers) - {system}), False),
    ]
    groups = []
    for group, label, members, includes_self in groups_spec:
        present = [o for s in members if (o := obs_of.get(s)) is not None and o.value is not None]
        comparator, how = pooled(present)
        ranked = [*present] if includes_self else [*present, *([own] if own else [])]
        values = [o.value for o in ranked if o.value is not None]
        rank = None
        quart = None
        funnel = position = sig = None
        judgement: Judgement = "not_judged"
        if own is not None and own.value is not None and values:
            rank = rank_of(own.value, values, way)
            quart = quartile(rank, len(values))
            funnel = funnel_for(own, comparator)
            position = None if funnel is None else funnel_position(own.value, funnel)
            sig = significance(own, comparator)
            judgement = judge(sig, way)
        groups.append(
            GroupComparison(
                group,
                label,
                len(values),
                comparator,
                how,
                rank,
                len(values),
                quart,
                funnel,
                position,
                sig,
                judgement,
            )
        )
    if own is None or own.value is None:
        notes.append(f"{system} has no value of {measure} as at {as_of}")
    return Comparison(
        measure,
        system,
        as_of,
        own,
        tuple(groups),
        spc_summary(source, measure, system, as_of, way),
        tuple(notes),
    )


def spc_summary(
    source: MeasureSource, measure: str, system: str, as_of: date, direction: Direction
) -> SpcSummary | None:
    points = sorted(source.series(measure, system, as_of), key=lambda p: p[0])
    if len(points) < 2:
        return None
    chart = xmr_chart(
        [v for _, v in points], dates=[d for d, _ in points], improvement_direction=direction
    )
    last = chart.points[-1]
    return SpcSummary(
        chart.preset,
        len(points),
        last.date,
        last.value,
        last.point_type,
        chart.variation_icon,
        chart.assurance_icon,
        sum(p.point_type.startswith("special_cause") for p in chart.points),
    )
