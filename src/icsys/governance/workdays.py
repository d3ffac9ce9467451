"""Working days in England: Monday to Friday, less the England and Wales bank holidays.

The bank holidays are those published at https://www.gov.uk/bank-holidays (England and Wales),
2023 to 2027, including substitute days and the 2023 coronation holiday. Outside those years only
weekends are skipped; :data:`COVERED` says which years the list covers.
"""

from __future__ import annotations

from datetime import date, timedelta

BANK_HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        # 2023
        "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
        "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
        # 2024
        "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
        "2024-08-26", "2024-12-25", "2024-12-26",
        # 2025
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
        "2025-08-25", "2025-12-25", "2025-12-26",
        # 2026
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
        "2026-08-31", "2026-12-25", "2026-12-28",
        # 2027
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
        "2027-08-30", "2027-12-27", "2027-12-28",
    )
)  # fmt: skip
COVERED = range(2023, 2028)
SATURDAY = 5


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in BANK_HOLIDAYS


def working_days_before(published: date, meeting: date) -> int:
    """Working days from ``published`` (counted) up to ``meeting`` (not counted).

    A paper published on Monday for the next Monday's meeting has 5; on the meeting day, 0;
    after the meeting, a negative count of the working days it was late.
    """
    if published > meeting:
        return -working_days_before(meeting, published)
    count = 0
    day = published
    while day < meeting:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``n`` ≥ 0)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= is_working_day(day)
    return day


def subtract_working_days(end: date, n: int) -> date:
    """The latest date with at least ``n`` working days up to ``end``."""
    day = end
    while working_days_before(day, end) < n:
        day -= timedelta(days=1)
    return day
