"""Options shared by several commands, defined once."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import typer


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; expected YYYY-MM-DD") from None


AS_OF = typer.Option(
    None, "--as-of", help="Answer as at this date (YYYY-MM-DD); default today.", parser=_parse_date
)
FORMAT = typer.Option(
    OutputFormat.TABLE, "--format", "-f", help="Output format.", case_sensitive=False
)
SYSTEM = typer.Option(None, "--system", help="A system (ICB) by GSS code, ODS code or name.")


def today() -> date:
    return date.today()  # noqa: DTZ011 - a calendar date in the user's time zone
