"""Decisions to outcomes: each decision's indicators, before and after the decision.

Governance does not compute indicators or charts itself (that is the analytics layer, a sibling
it may not import). The caller hands in a :class:`SeriesProvider` (the indicator engine, or a
test double) and a chart function with the signature of
``icsys.analytics.methods.spc.xmr_chart``. For each decision linked to an indicator, the series
of the link's area (the body's system when the link names none) is split at the meeting date:
points whose period starts before it are *before*, the rest *after*; one XmR chart is drawn with
the limits rebased at the first *after* point, so each side has its own mean and limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Engine, select

from icsys.store import governance_models as g


class SeriesProvider(Protocol):
    """Where indicator values come from: one value per period, for one area."""

    def series(self, indicator_id: str, area_code: str) -> list[tuple[date, float]]: ...


class ChartGroup(Protocol):
    @property
    def mean(self) -> float: ...


class ChartPoint(Protocol):
    @property
    def point_type(self) -> str: ...


class Chart(Protocol):
    @property
    def groups(self) -> Sequence[ChartGroup]: ...

    @property
    def points(self) -> Sequence[ChartPoint]: ...

    @property
    def variation_icon(self) -> str | None: ...


class ChartFunction(Protocol):
    def __call__(
        self,
        values: Sequence[float],
        *,
        improvement_direction: Any,
        dates: Sequence[date] | None = ...,
        rebase: Sequence[int | date] = ...,
    ) -> Chart: ...


@dataclass(frozen=True)
class DecisionOutcome:
    decision_id: str
    body_id: str
    decided_on: date
    indicator_id: str
    area_code: str
    expected_direction: str
    review_on: date | None
    n_before: int
    n_after: int
    mean_before: float | None
    mean_after: float | None
    moved_as_expected: bool | None  # None until there are points on both sides
    improvement_points_after: int  # special-cause improvement points after the decision
    concern_points_after: int
    variation_icon: str | None
    chart: Chart | None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "chart"}


def decision_links(engine: Engine, *, system: str | None = None) -> list[dict[str, Any]]:
    """Every decision-indicator link with the decision's date, body and system."""
    di, d, i, m, b = g.gov_decision_indicator, g.gov_decision, g.gov_item, g.gov_meeting, g.gov_body
    query = (
        select(di, m.c.meeting_date, m.c.body_id, b.c.system_code)
        .join(d, d.c.id == di.c.decision_id)
        .join(i, i.c.id == d.c.item_id)
        .join(m, m.c.id == i.c.meeting_id)
        .join(b, b.c.id == m.c.body_id)
        .order_by(m.c.meeting_date, di.c.decision_id, di.c.indicator_id)
    )
    if system is not None:
        query = query.where(b.c.system_code == system)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def decision_outcomes(
    engine: Engine,
    provider: SeriesProvider,
    chart: ChartFunction,
    *,
    system: str | None = None,
) -> list[DecisionOutcome]:
    return [outcome_of(link, provider, chart) for link in decision_links(engine, system=system)]


def outcome_of(
    link: dict[str, Any], provider: SeriesProvider, chart: ChartFunction
) -> DecisionOutcome:
    area = link["area_code"] or link["system_code"]
    decided: date = link["meeting_date"]
    series = sorted(provider.series(link["indicator_id"], area))
    dates = [d for d, _ in series]
    values = [v for _, v in series]
    after_at = next((k for k, d in enumerate(dates) if d >= decided), len(dates))
    direction = link["expected_direction"]
    drawn: Chart | None = None
    mean_before = mean_after = None
    improvement = concern = 0
    if values:
        rebase = [after_at] if 0 < after_at < len(values) else []
        drawn = chart(values, improvement_direction=direction, dates=dates, rebase=rebase)
        if after_at > 0:
            mean_before = drawn.groups[0].mean
        if after_at < len(values):
            mean_after = drawn.groups[-1].mean
        types = [p.point_type for p in drawn.points[after_at:]]
        improvement = types.count("special_cause_improvement")
        concern = types.count("special_cause_concern")
    moved = None
    if mean_before is not None and mean_after is not None:
        moved = mean_after > mean_before if direction == "increase" else mean_after < mean_before
    return DecisionOutcome(
        decision_id=link["decision_id"],
        body_id=link["body_id"],
        decided_on=decided,
        indicator_id=link["indicator_id"],
        area_code=area,
        expected_direction=direction,
        review_on=link["review_on"],
        n_before=after_at,
        n_after=len(values) - after_at,
        mean_before=mean_before,
        mean_after=mean_after,
        moved_as_expected=moved,
        improvement_points_after=improvement,
        concern_points_after=concern,
        variation_icon=drawn.variation_icon
        if drawn is not None and after_at < len(values)
        else None,
        chart=drawn,
    )
