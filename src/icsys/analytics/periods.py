"""Reporting periods: calendar months, quarters and NHS financial years (April to March).

Quarters are financial quarters (Q1 = April-June). A period is labelled ``2024-05``,
``2024-25 Q1`` or ``2024-25``; ``periods_ending`` lists the complete periods of each type that
end on or before a date, most recent last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from icsys.analytics.sources import PeriodType

FY_START_MONTH = 4


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period; ``start`` and ``end`` are both included."""

    period_type: PeriodType
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.period_type == "month":
            return f"{self.start:%Y-%m}"
        fy = self.start.year if self.start.month >= FY_START_MONTH else self.start.year - 1
        fy_label = f"{fy}-{(fy + 1) % 100:02d}"
        if self.period_type == "financial_year":
            return fy_label
        quarter = ((self.start.month - FY_START_MONTH) % 12) // 3 + 1
        return f"{fy_label} Q{quarter}"

    @property
    def period_id(self) -> str:
        return f"{self.period_type}:{self.start.isoformat()}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first, 1) - timedelta(days=1)


def periods_ending(
    end: date,
    *,
    months: int = 24,
    quarters: int = 8,
    years: int = 3,
    types: Iterable[PeriodType] = ("month", "quarter", "financial_year"),
) -> list[Period]:
    """The last ``months`` months, ``quarters`` quarters and ``years`` financial years that are
    complete on ``end`` (a period ending exactly on ``end`` is complete)."""
    wanted = set(types)
    last_month = _add_months(date(end.year, end.month, 1), 0 if _month_end(end) == end else -1)
    out: list[Period] = []
    if "month" in wanted:
        for k in range(months - 1, -1, -1):
            first = _add_months(last_month, -k)
            out.append(Period("month", first, _month_end(first)))
    # the last complete quarter/year ends at or before the end of last_month
    offset = (last_month.month - FY_START_MONTH) % 3
    last_q_end_month = _add_months(last_month, -((offset + 1) % 3))
    if "quarter" in wanted:
        for k in range(quarters - 1, -1, -1):
            first = _add_months(last_q_end_month, -2 - 3 * k)
            out.append(Period("quarter", first, _month_end(_add_months(first, 2))))
    if "financial_year" in wanted:
        fy_offset = (last_month.month - FY_START_MONTH) % 12
        last_fy_end_month = _add_months(last_month, -((fy_offset + 1) % 12))
        for k in range(years - 1, -1, -1):
            first = _add_months(last_fy_end_month, -11 - 12 * k)
            out.append(Period("financial_year", first, _month_end(_add_months(first, 11))))
    return out
