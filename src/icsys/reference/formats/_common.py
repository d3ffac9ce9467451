"""Helpers shared by the reference formats: columns by name, dates, code checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from icsys.domain import codes
from icsys.domain.levels import Level
from icsys.reference.columns import normalise
from icsys.reference.parsed import Parsed

_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d%b%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


def header_index(header: Iterable[str]) -> dict[str, int]:
    """Normalised column name → position (first occurrence wins)."""
    index: dict[str, int] = {}
    for pos, name in enumerate(header):
        index.setdefault(normalise(name), pos)
    return index


def has_columns(header: Iterable[str], *names: str) -> tuple[int, list[str]]:
    """How many of ``names`` (normalised) the header has, and which are missing."""
    index = header_index(header)
    missing = [n for n in names if normalise(n) not in index]
    return len(names) - len(missing), missing


def parse_date(text: str) -> date | None:
    """Read the date formats NHS files use; ``None`` for an empty field; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 10 and text[10] in " T" and text[4] == "-":
        text = text[:10]  # a timestamp: the calendar date is what matters
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - calendar dates
        except ValueError:
            continue
    raise ValueError(text)


def field(row: list[str], pos: int | None) -> str:
    if pos is None or pos >= len(row):
        return ""
    return row[pos].strip()


class RowCheck:
    """Collects the problems of one row; the row is quarantined if there are any."""

    def __init__(self, parsed: Parsed, line: int) -> None:
        self.parsed = parsed
        self.line = line
        self.ok = True

    def fail(self, column: str, value: str, reason: str) -> None:
        self.parsed.reject(self.line, column, value, reason)
        self.ok = False

    def gss(self, column: str, value: str, level: Level) -> str:
        if not codes.is_gss(value, level):
            self.fail(column, value, f"expected {codes.expected_code(level)}")
        return value

    def ods(self, column: str, value: str, level: Level) -> str:
        if not codes.is_ods(value, level):
            self.fail(column, value, f"expected {codes.expected_code(level)}")
        return value

    def required(self, column: str, value: str) -> str:
        if not value:
            self.fail(column, value, "a value is required")
        return value

    def date(self, column: str, value: str, *, required: bool = False) -> date | None:
        try:
            parsed = parse_date(value)
        except ValueError:
            self.fail(column, value, "expected a date like 20240401 or 2024-04-01")
            return None
        if parsed is None and required:
            self.fail(column, value, "a date is required")
        return parsed

    def integer(self, column: str, value: str, *, low: int | None = None) -> int | None:
        try:
            number = int(float(value)) if value else None
        except ValueError:
            self.fail(column, value, "expected a whole number")
            return None
        if number is not None and low is not None and number < low:
            self.fail(column, value, f"expected a whole number of at least {low}")
        return number

    def number(self, column: str, value: str) -> float | None:
        try:
            return float(value) if value else None
        except ValueError:
            self.fail(column, value, "expected a number")
            return None


def row_width(check: RowCheck, row: list[str], width: int) -> bool:
    """Quarantine a short (e.g. truncated) row: it cannot be read safely."""
    if len(row) < width:
        check.fail("(row)", ",".join(row)[:80], f"expected {width} fields, found {len(row)}")
        return False
    return True


_YEAR = re.compile(r"(?:mid|_)(20\d\d)")


def year_from_name(name: str) -> int | None:
    match = _YEAR.search(name.lower())
    return int(match.group(1)) if match else None
