"""Periods the measures are asked over, and calendar arithmetic they share."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from icsys.errors import UserError


@dataclass(frozen=True)
class Period:
    """Dates ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UserError(f"period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def financial_years(self) -> list[int]:
        """Financial years (April to March, named by their first year) the period touches."""
        first = self.start.year - (self.start.month < 4)
        last = self.end.year - (self.end.month < 4)
        return list(range(first, last + 1))

    @classmethod
    def parse(cls, text: str, *, today: date) -> Period:
        """``2024/25`` (a financial year), ``2024`` (a calendar year), ``START..END`` (ISO
        dates), or ``last-12m`` / ``last-24m`` (months up to ``today``)."""
        value = text.strip()
        if m := re.fullmatch(r"(\d{4})[/-](\d{2})", value):
            start = int(m.group(1))
            if int(m.group(2)) != (start + 1) % 100:
                raise UserError(f"{text!r} is not a financial year (expected e.g. 2024/25)")
            return cls(date(start, 4, 1), date(start + 1, 3, 31))
        if re.fullmatch(r"\d{4}", value):
            return cls(date(int(value), 1, 1), date(int(value), 12, 31))
        if m := re.fullmatch(r"last-(\d{1,3})m", value):
            return cls(months_before(today, int(m.group(1))) + timedelta(days=1), today)
        if ".." in value:
            a, _, b = value.partition("..")
            try:
                return cls(date.fromisoformat(a), date.fromisoformat(b))
            except ValueError:
                pass
        raise UserError(
            f"{text!r} is not a period; expected 2024/25, 2024, last-12m or YYYY-MM-DD..YYYY-MM-DD"
        )


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
