"""``icsys areas``."""

from __future__ import annotations

from datetime import date

import typer

from icsys.cli.output import emit
from icsys.cli.params import AS_OF, FORMAT, SYSTEM, OutputFormat, today
from icsys.cli.state import state
from icsys.domain.levels import Level
from icsys.reference.register import Snapshot

LEVELS = (
    "region, system, sub_icb, place, pcn, practice, lad, lsoa (2021), lsoa11, trust, ons_region"
)


def _level(value: str) -> Level:
    try:
        return Level.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def areas(
    ctx: typer.Context,
    level: Level = typer.Option(..., "--level", parser=_level, help=f"One of: {LEVELS}."),
    as_of: date | None = AS_OF,
    system: str | None = SYSTEM,
    fmt: OutputFormat = FORMAT,
) -> None:
    """One row per area in force at the date: code, ODS code, name, parent and system."""
    snapshot = Snapshot(state(ctx).engine, as_of or today())
    rows = [r.as_dict() for r in snapshot.rows(level, system)]
    emit(rows, fmt, title=f"{level.value} as at {snapshot.as_of} ({len(rows)})")
