"""The integrated performance report of a board pack, from the indicator mart's public view.

Every number comes from the disclosure-controlled public view (suppressed cells stay
suppressed, counts stay rounded), whatever the pack's audience. The area is the body's place
when the body covers one, else the body's system; an indicator the mart does not publish for
the place is shown for the system, and says so. For each
headline indicator: an SPC chart of its total over its SPC period type (months, else quarters),
the Making Data Count icons, the latest value with its 95 % limits, and an inequality panel for
the latest period with deprivation breakdowns (financial year when there is one): IMD quintiles,
Core20 against the rest, and the slope index of inequality where the library derives one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics import mart, service
from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.finish import spc_period_type
from icsys.config import Settings
from icsys.reports.board_pack.model import Area, Inequality, Ipr, IprEntry, Reading
from icsys.reports.spc_svg import spc_figure


@dataclass(frozen=True)
class Headline:
    indicator_id: str
    target: float | None = None


HEADLINE: tuple[Headline, ...] = (
    Headline("ae_4hr_performance", target=78.0),  # 2024/25 planning guidance, March 2025
    Headline("ae_12hr_waits"),
    Headline("emergency_admissions_rate"),
    Headline("emergency_admissions_dsr"),
    Headline("rtt_under_18_weeks", target=92.0),  # the NHS Constitution standard
    Headline("rtt_52_week_waits"),
    Headline("outpatient_dna_rate"),
    Headline("multimorbidity_2plus"),
    Headline("mortality_under75_dsr"),
)
QUINTILE_LABELS = {
    "1": "IMD 1 (most deprived)",
    "2": "IMD 2",
    "3": "IMD 3",
    "4": "IMD 4",
    "5": "IMD 5 (least deprived)",
}
CORE20_LABELS = {"Core20": "Core20", "Other": "Outside Core20"}
NO_MART = "No indicator results yet: run `icsys indicators compute` to add this report."


@dataclass(frozen=True)
class _Meta:
    title: str
    unit: str
    improvement: str
    period_type: str


def _meta(library: Library, indicator_id: str) -> _Meta | None:
    for ind in library.indicators:
        if ind.id == indicator_id:
            return _Meta(ind.title, ind.unit, str(ind.improvement), spc_period_type(ind.periods))
    for d in library.derived:
        if d.id == indicator_id:
            return _Meta(d.title, d.unit, d.improvement, "financial_year")
    return None


def _num(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _reading(row: Any, label: str) -> Reading:
    return Reading(
        label, _num(row["value"]), _num(row["lower"]), _num(row["upper"]), str(row["disclosure"])
    )


def _one_parent(rows: pd.DataFrame) -> pd.DataFrame:
    parents = sorted(set(rows["parent_code"].astype(str)))
    if len(parents) <= 1:
        return rows
    return rows[rows["parent_code"].astype(str) == parents[0]]


def _series(frame: pd.DataFrame, indicator_id: str, period_type: str, breakdown: str = ALL) -> Any:
    rows = frame[
        (frame["indicator_id"] == indicator_id)
        & (frame["breakdown"] == breakdown)
        & (frame["category"] == "")
        & (frame["period_type"] == period_type)
    ]
    return _one_parent(rows).sort_values(["period_start", "breakdown_value"])


class MartReader:
    """The current run's public view, read once per area."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.manifest = mart.read_current(settings, missing_ok=True)
        self.library = load_library()
        self._frames: dict[str, pd.DataFrame] = {}

    def frame(self, area_code: str) -> pd.DataFrame:
        if area_code not in self._frames:
            self._frames[area_code] = service.values(self.settings, area=area_code, public=True)
        return self._frames[area_code]

    def describe(self, indicator_id: str) -> tuple[str, str] | None:
        """``(title, unit)`` of a library indicator, else ``None``."""
        meta = _meta(self.library, indicator_id)
        return (meta.title, meta.unit) if meta else None

    def latest(self, indicator_id: str, area_code: str) -> Reading | None:
        """The latest public total of the indicator for the area, on its SPC period type."""
        meta = _meta(self.library, indicator_id)
        if meta is None or self.manifest is None:
            return None
        rows = _series(self.frame(area_code), indicator_id, meta.period_type)
        if rows.empty:
            return None
        last = rows.iloc[-1]
        return _reading(last, str(last["period"]))


def _inequality(reader: MartReader, frame: pd.DataFrame, indicator_id: str) -> Inequality | None:
    ranked = frame[(frame["indicator_id"] == indicator_id) & (frame["breakdown"] == "imd_quintile")]
    if ranked.empty:
        return None
    kinds = set(ranked["period_type"])
    kind = next(k for k in ("financial_year", "quarter", "month") if k in kinds)
    quintiles = _series(frame, indicator_id, kind, "imd_quintile")
    period_start = quintiles["period_start"].max()
    at = quintiles[quintiles["period_start"] == period_start]
    core = _series(frame, indicator_id, kind, "core20")
    core = core[core["period_start"] == period_start]
    total = _series(frame, indicator_id, kind)
    total = total[total["period_start"] == period_start]
    sii = None
    for d in reader.library.derived:
        if indicator_id in d.inputs:
            rows = _series(frame, d.id, kind)
            rows = rows[rows["period_start"] == period_start]
            if not rows.empty:
                sii = _reading(rows.iloc[0], f"Slope index of inequality ({d.unit})")
    return Inequality(
        period=str(at["period"].iloc[0]),
        total=_reading(total.iloc[0], "All") if not total.empty else None,
        quintiles=tuple(
            _reading(r, QUINTILE_LABELS[str(r["breakdown_value"])])
            for _, r in at.iterrows()
            if str(r["breakdown_value"]) in QUINTILE_LABELS
        ),
        core20=tuple(
            _reading(r, CORE20_LABELS[str(r["breakdown_value"])])
            for _, r in core.sort_values("breakdown_value").iterrows()
            if str(r["breakdown_value"]) in CORE20_LABELS
        ),
        sii=sii,
    )


def _entry(
    reader: MartReader, areas: Sequence[Area], headline: Headline, n: int
) -> IprEntry | None:
    meta = _meta(reader.library, headline.indicator_id)
    if meta is None:
        return None
    for area in areas:
        frame = reader.frame(area.code)
        frame = frame[frame["level"] == area.level]
        rows = _series(frame, headline.indicator_id, meta.period_type)
        if not rows.empty:
            break
    else:
        return None
    values = [_num(v) for v in rows["value"]]
    last = rows.iloc[-1]
    shown = [v for v in values if v is not None and math.isfinite(v)]
    figure = (
        spc_figure(
            [str(p) for p in rows["period"]],
            values,
            title=meta.title,
            unit=meta.unit,
            improvement=meta.improvement,
            chart_id=f"ipr-{n}",
            target=headline.target,
        )
        if len(shown) >= 2
        else None
    )
    process = (
        next((r for r in reversed(figure.rows) if r["mean"] is not None), {}) if figure else {}
    )
    return IprEntry(
        indicator_id=headline.indicator_id,
        area=area,
        title=meta.title,
        unit=meta.unit,
        improvement=meta.improvement,
        period_type=meta.period_type,
        target=headline.target,
        latest=_reading(last, str(last["period"])),
        points=len(shown),
        mean=_num(process.get("mean")),
        process_lower=_num(process.get("lower")),
        process_upper=_num(process.get("upper")),
        chart_svg=figure.svg if figure else None,
        variation_icon=figure.variation_icon if figure else None,
        assurance_icon=figure.assurance_icon if figure else None,
        rules=figure.rules if figure else "",
        inequality=_inequality(reader, frame, headline.indicator_id),
        note="" if figure else "Too few periods with a value for an SPC chart.",
    )


def build_ipr(
    reader: MartReader,
    areas: Sequence[Area],
    *,
    headline: tuple[Headline, ...] = HEADLINE,
    progress: Callable[[str], None] = lambda _m: None,
) -> Ipr:
    """The report for ``areas[0]``; an indicator without values there is read for the next."""
    area = areas[0]
    manifest = reader.manifest
    if manifest is None:
        return Ipr(area.code, area.name, area.level, None, None, None, (), NO_MART)
    progress(f"indicators for {area.name} (mart run {manifest['run_id']})")
    entries = [e for n, h in enumerate(headline) if (e := _entry(reader, areas, h, n))]
    note = "" if entries else f"The indicator mart has no headline values for {area.name}."
    return Ipr(
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        run_id=str(manifest["run_id"]),
        period_end=mart.as_date(manifest["period_end"]),
        definitions_version=str(manifest.get("definitions_version")),
        entries=tuple(entries),
        note=note,
    )
