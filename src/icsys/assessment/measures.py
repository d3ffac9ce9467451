"""Where assessment reads numbers from: a :class:`MeasureSource` per namespace.

A reference is ``namespace.name[.part]``:

* ``governance.<measure>[.<breakdown>]`` — the governance measures (docs/governance.md) over the
  12 months ending on the assessment date (leadership as at the date), plus three integration
  measures computed here from the governance records and the register:
  ``place_board_coverage``, ``place_lead_coverage``, ``decisions_linked_share`` and
  ``icp_meetings_held``;
* ``indicator.<id>[.<field>]`` — the system-level, all-persons row of the indicator mart
  (``indicator_values``: the latest period ending on or before the date; ``field`` is value,
  lower, upper, numerator or denominator);
* ``structure.<feature>`` — the structural features of :mod:`icsys.assessment.peers`, and
  ``pcn_practice_share`` (practices in a PCN / practices).

Until the analytics engine publishes its mart, :class:`IndicatorMart` can be built from any rows
with the mart's columns; tests use :class:`HandSetMeasures`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import Engine, and_, or_, select

from icsys.domain.levels import Level
from icsys.governance.measures import Period, all_measures, months_before
from icsys.reference.register import Snapshot
from icsys.store import governance_models as g

Kind = Literal["proportion", "rate", "value"]
Direction = Literal["increase", "decrease", "neutral"]


@dataclass(frozen=True)
class Observation:
    """One value of a measure for one system, with what a comparison needs.

    ``kind`` says how limits are drawn: ``proportion`` (numerator of denominator, Wilson),
    ``rate`` (a count over a population times ``multiplier``, Byar), ``value`` (no limits).
    """

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    kind: Kind = "value"
    multiplier: float = 1.0
    direction: Direction = "neutral"
    period: str | None = None
    lower: float | None = None
    upper: float | None = None
    source: str = ""


class MeasureSource(Protocol):
    """Values and series of named measures per system as at a date."""

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None: ...

    def value(self, name: str, system_code: str, as_of: date) -> float | None: ...

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]: ...


class _Base:
    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:
        raise NotImplementedError  # pragma: no cover

    def value(self, name: str, system_code: str, as_of: date) -> float | None:
        found = self.observation(name, system_code, as_of)
        return None if found is None else found.value

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]:  # noqa: ARG002 - no series by default
        return []


@dataclass
class HandSetMeasures(_Base):
    """Measures set by hand: ``{system: {name: value or Observation}}`` and series."""

    values: Mapping[str, Mapping[str, float | Observation | None]]
    series_values: Mapping[str, Mapping[str, Sequence[tuple[date, float]]]] = field(
        default_factory=dict
    )

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:  # noqa: ARG002 - hand-set values have no date
        found = self.values.get(system_code, {}).get(name)
        if found is None or isinstance(found, Observation):
            return found
        return Observation(float(found), source="hand-set")

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]:
        points = self.series_values.get(system_code, {}).get(name, ())
        return [(d, v) for d, v in points if d <= as_of]


# --- governance ---------------------------------------------------------------------------
PROPORTIONS = {
    "public_meeting_share",
    "papers_on_time_share",
    "attendance_rate",
    "item_share",
    "decision_share",
    "dissent_rate",
    "stable_6m_share",
    "stable_12m_share",
    "vacancy_share",
    "interim_share",
    "background_share",
    "place_board_coverage",
    "place_lead_coverage",
    "decisions_linked_share",
}
DIRECTIONS: dict[str, Direction] = {
    "public_meeting_share": "increase",
    "papers_on_time_share": "increase",
    "median_notice_days": "increase",
    "attendance_rate": "increase",
    "item_share": "increase",
    "decision_share": "increase",
    "delegated_to_place_share": "increase",
    "delegated_to_provider_collaborative_share": "increase",
    "stable_6m_share": "increase",
    "stable_12m_share": "increase",
    "turnover_12m": "decrease",
    "vacancy_share": "decrease",
    "interim_share": "decrease",
    "median_vacancy_days": "decrease",
    "place_board_coverage": "increase",
    "place_lead_coverage": "increase",
    "decisions_linked_share": "increase",
    "pcn_practice_share": "increase",
}
DEFAULT_BREAKDOWN = {"attendance_rate": "all"}
YEARLY = {"delegated_to_place_share", "delegated_to_provider_collaborative_share"}


def assessment_period(as_of: date) -> Period:
    """The 12 months ending on ``as_of`` (both ends included)."""
    return Period(months_before(as_of, 12) + timedelta(days=1), as_of)


class GovernanceMeasures(_Base):
    """``governance.*`` from :func:`icsys.governance.measures.all_measures` and the records."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[tuple[str, date], dict[tuple[str, str | None], Observation]] = {}

    def _all(self, system: str, as_of: date) -> dict[tuple[str, str | None], Observation]:
        key = (system, as_of)
        if key not in self._cache:
            period = assessment_period(as_of)
            found: dict[tuple[str, str | None], Observation] = {}
            for r in all_measures(self.engine, period, system=system, as_of=as_of):
                if r.body_id is not None or r.system_code != system:
                    continue
                breakdown = None if r.measure in YEARLY else r.breakdown
                obs = Observation(
                    r.value,
                    r.numerator,
                    r.denominator,
                    "proportion" if r.measure in PROPORTIONS else "value",
                    direction=DIRECTIONS.get(r.measure, "neutral"),
                    period=r.breakdown if r.measure in YEARLY else period.label,
                    source="governance",
                )
                old = found.get((r.measure, breakdown))
                if r.measure in YEARLY and old is not None and r.value is None:
                    continue  # keep the latest financial year that has an allocation
                found[(r.measure, breakdown)] = obs
            for name, obs in _integration(self.engine, system, as_of, period).items():
                found[(name, None)] = obs
            self._cache[key] = found
        return self._cache[key]

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:
        measure, _, breakdown = name.removeprefix("governance.").partition(".")
        values = self._all(system_code, as_of)
        return values.get((measure, breakdown or DEFAULT_BREAKDOWN.get(measure)))

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]:
        """Rolling 12-month values at each quarter end of the three years to ``as_of``."""
        points = []
        for back in range(12, -1, -1):
            when = months_before(as_of, 3 * back)
            found = self.value(name, system_code, when)
            if found is not None:
                points.append((when, found))
        return points


def _integration(
    engine: Engine, system: str, as_of: date, period: Period
) -> dict[str, Observation]:
    """Place boards, place leads, decisions linked to indicators, ICP meetings."""
    snap = Snapshot(engine, as_of)
    places = {r.code for r in snap.places() if r.system_code == system}
    body_in_force = and_(
        g.gov_body.c.valid_from <= as_of,
        or_(g.gov_body.c.valid_to.is_(None), g.gov_body.c.valid_to >= as_of),
    )
    with engine.connect() as conn:
        boards = {
            code
            for (code,) in conn.execute(
                select(g.gov_body.c.place_code).where(
                    g.gov_body.c.system_code == system,
                    g.gov_body.c.kind == "place_partnership_board",
                    body_in_force,
                )
            )
        }
        leads = {
            code
            for (code,) in conn.execute(
                select(g.gov_post.c.scope_code)
                .join(g.gov_tenure, g.gov_tenure.c.post_id == g.gov_post.c.id)
                .where(
                    g.gov_post.c.system_code == system,
                    g.gov_post.c.kind == "place_lead",
                    g.gov_tenure.c.start_on <= as_of,
                    or_(g.gov_tenure.c.end_on.is_(None), g.gov_tenure.c.end_on >= as_of),
                )
            )
        }
        meeting_in_period = and_(
            g.gov_body.c.system_code == system,
            g.gov_meeting.c.status == "held",
            g.gov_meeting.c.meeting_date >= period.start,
            g.gov_meeting.c.meeting_date <= period.end,
        )
        decisions = conn.execute(
            select(g.gov_decision.c.id, g.gov_decision_indicator.c.indicator_id)
            .join(g.gov_item, g.gov_item.c.id == g.gov_decision.c.item_id)
            .join(g.gov_meeting, g.gov_meeting.c.id == g.gov_item.c.meeting_id)
            .join(g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id)
            .outerjoin(
                g.gov_decision_indicator,
                g.gov_decision_indicator.c.decision_id == g.gov_decision.c.id,
            )
            .where(meeting_in_period)
        ).all()
        icp = conn.execute(
            select(g.gov_meeting.c.id)
            .join(g.gov_body, g.gov_body.c.id == g.gov_meeting.c.body_id)
            .where(meeting_in_period, g.gov_body.c.kind == "integrated_care_partnership")
        ).all()
    linked: dict[str, bool] = defaultdict(bool)
    for decision, indicator in decisions:
        linked[decision] |= indicator is not None

    def share(num: int, den: int, name: str) -> Observation:
        return Observation(
            num / den if den else None,
            float(num),
            float(den),
            "proportion",
            direction=DIRECTIONS[name],
            period=period.label,
            source="governance records and the register",
        )

    return {
        "place_board_coverage": share(len(places & boards), len(places), "place_board_coverage"),
        "place_lead_coverage": share(len(places & leads), len(places), "place_lead_coverage"),
        "decisions_linked_share": share(
            sum(linked.values()), len(linked), "decisions_linked_share"
        ),
        "icp_meetings_held": Observation(
            float(len(icp)), direction="increase", period=period.label, source="governance"
        ),
    }


# --- structure -----------------------------------------------------------------------------
class StructureMeasures(_Base):
    """``structure.*``: the peer features of each system, and PCN coverage of practices."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[date, dict[str, dict[str, float | None]]] = {}

    def _features(self, as_of: date) -> dict[str, dict[str, float | None]]:
        if as_of not in self._cache:
            from icsys.assessment.peers import system_features  # noqa: PLC0415 - no cycle at import

            snap = Snapshot(self.engine, as_of)
            table = {k: dict(v) for k, v in system_features(snap).items()}
            practices: dict[str, list[bool]] = defaultdict(list)
            for row in snap.rows(Level.PRACTICE):
                if row.system_code:
                    practices[row.system_code].append(row.extra.get("pcn_code") is not None)
            for system, flags in practices.items():
                table.setdefault(system, {})["pcn_practice_share"] = sum(flags) / len(flags)
            self._cache[as_of] = table
        return self._cache[as_of]

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:
        feature = name.removeprefix("structure.")
        value = self._features(as_of).get(system_code, {}).get(feature)
        if value is None:
            return None
        return Observation(
            value,
            direction=DIRECTIONS.get(feature, "neutral"),
            period=as_of.isoformat(),
            source="structure register",
        )


# --- indicators ----------------------------------------------------------------------------
PERIOD_PREFERENCE = ("financial_year", "quarter", "month")
FIELDS = ("value", "lower", "upper", "numerator", "denominator")


class IndicatorMart(_Base):
    """``indicator.*`` from rows with the ``indicator_values`` columns (indicator_id, level,
    area_code, period_type, period, period_start, period_end, breakdown, breakdown_value,
    category, value, numerator, denominator, lower, upper; optional method, multiplier,
    improvement)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._rows: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
        for r in rows:
            if str(r.get("breakdown") or "all") != "all" or str(r.get("category") or ""):
                continue
            key = (str(r["indicator_id"]), str(r["level"]), str(r["area_code"]))
            self._rows[key].append(r)

    @classmethod
    def from_parquet(cls, path: Path) -> IndicatorMart:
        """The mart written by the analytics engine (a Parquet file or a folder of them)."""
        import pyarrow.parquet as pq  # noqa: PLC0415 - only when a mart exists

        table = pq.read_table(str(path))
        return cls(table.to_pylist())

    def levels(self, indicator: str, level: str) -> dict[str, list[Mapping[str, Any]]]:
        return {
            code: rows
            for (i, lv, code), rows in self._rows.items()
            if (i, lv) == (indicator, level)
        }

    def _latest(
        self, indicator: str, level: str, code: str, as_of: date
    ) -> Mapping[str, Any] | None:
        rows = [r for r in self._rows.get((indicator, level, code), []) if _end(r) <= as_of]
        for period_type in PERIOD_PREFERENCE:
            typed = [r for r in rows if r.get("period_type") == period_type]
            if typed:
                return max(typed, key=_end)
        return max(rows, key=_end) if rows else None

    def area_observation(self, name: str, level: str, code: str, as_of: date) -> Observation | None:
        indicator, _, part = name.removeprefix("indicator.").partition(".")
        row = self._latest(indicator, level, code, as_of)
        if row is None:
            return None
        method = str(row.get("method") or "")
        kind: Kind = (
            "proportion"
            if method == "proportion"
            else "rate"
            if method in {"crude_rate", "dsr"}
            else "value"
        )
        value = _float(row.get(part or "value")) if (part or "value") in FIELDS else None
        improvement = str(row.get("improvement") or "neutral")
        return Observation(
            value,
            _float(row.get("numerator")),
            _float(row.get("denominator")),
            kind if not part or part == "value" else "value",
            multiplier=_float(row.get("multiplier")) or 1.0,
            direction=improvement if improvement in {"increase", "decrease"} else "neutral",  # type: ignore[arg-type]
            period=str(row.get("period") or ""),
            lower=_float(row.get("lower")),
            upper=_float(row.get("upper")),
            source="indicator_values",
        )

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:
        return self.area_observation(name, Level.SYSTEM, system_code, as_of)

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]:
        indicator, _, part = name.removeprefix("indicator.").partition(".")
        rows = [
            r
            for r in self._rows.get((indicator, Level.SYSTEM, system_code), [])
            if _end(r) <= as_of
        ]
        for period_type in reversed(PERIOD_PREFERENCE):  # the finest periods make the chart
            typed = sorted((r for r in rows if r.get("period_type") == period_type), key=_end)
            points = [
                (_end(r), v) for r in typed if (v := _float(r.get(part or "value"))) is not None
            ]
            if points:
                return points
        return []


def _end(row: Mapping[str, Any]) -> date:
    end = row.get("period_end")
    if isinstance(end, date):
        return end
    return date.fromisoformat(str(end)[:10])


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is missing  # noqa: PLR0124


# --- the namespaces together ---------------------------------------------------------------
@dataclass
class Measures(_Base):
    """Dispatch ``namespace.name`` to the source of each namespace."""

    sources: dict[str, MeasureSource]

    def _source(self, name: str) -> MeasureSource | None:
        return self.sources.get(name.partition(".")[0])

    def observation(self, name: str, system_code: str, as_of: date) -> Observation | None:
        source = self._source(name)
        return None if source is None else source.observation(name, system_code, as_of)

    def series(self, name: str, system_code: str, as_of: date) -> list[tuple[date, float]]:
        source = self._source(name)
        return [] if source is None else source.series(name, system_code, as_of)


def store_measures(engine: Engine, mart: Path | None = None) -> Measures:
    """Governance, structure and (when the mart file exists) indicator measures of a store."""
    sources: dict[str, MeasureSource] = {
        "governance": GovernanceMeasures(engine),
        "structure": StructureMeasures(engine),
    }
    if mart is not None and mart.exists():
        sources["indicator"] = IndicatorMart.from_parquet(mart)
    return Measures(sources)


def with_source(observation: Observation, source: str) -> Observation:
    return replace(observation, source=source)
