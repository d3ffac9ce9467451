"""``icsys governance import|measures|export`` and ``icsys leadership stability``."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from icsys.cli.output import console, emit
from icsys.cli.params import AS_OF, FORMAT, SYSTEM, OutputFormat, today
from icsys.cli.state import state
from icsys.governance.export import export_public_record
from icsys.governance.importer import ImportReport, import_governance
from icsys.governance.measures import Period, all_measures, leadership
from icsys.governance.measures.summary import system_table
from icsys.reference.register import Snapshot

app = typer.Typer(
    help="Governance records: bodies, meetings, papers, decisions, delegations, leadership.",
    no_args_is_help=True,
)
leadership_app = typer.Typer(help="The leadership register.", no_args_is_help=True)

PERIOD = typer.Option(
    "last-12m", "--period", help="2024/25, 2024, last-12m or YYYY-MM-DD..YYYY-MM-DD."
)


def _system(ctx: typer.Context, text: str | None, as_of: date) -> str | None:
    if text is None:
        return None
    return Snapshot(state(ctx).engine, as_of).resolve_system(text)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no user name in some containers
        return "cli"


def print_import(report: ImportReport) -> None:
    table = Table(title="Governance import")
    for column in ("file", "kinds", "read", "created", "updated", "unchanged", "quarantined"):
        table.add_column(column)
    for f in report.files:
        table.add_row(
            escape(Path(f.path).name),
            ", ".join(f.kinds),
            str(f.rows_read),
            str(f.count("created")),
            str(f.count("updated")),
            str(f.count("unchanged")),
            str(f.count("quarantined")),
        )
    console.print(table)
    for f in report.files:
        if f.quarantine_file:
            console.print(
                f"quarantined rows of {escape(Path(f.path).name)}: {escape(f.quarantine_file)}"
            )
    for p in report.problems[:20]:
        console.print(f"  {escape(p.file)} line {p.line} column {p.column!r}: {escape(p.reason)}")
    if len(report.problems) > 20:
        console.print(f"  … and {len(report.problems) - 20} more (see the quarantine files)")


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="CSV or YAML files, or folders of them."),
    strict: bool = typer.Option(
        False, "--strict", help="Change nothing if any row is quarantined."
    ),
    actor: str | None = typer.Option(None, "--actor", help="Who is making the change (audit)."),
) -> None:
    """Import bodies, members, meetings, decisions, delegations, posts… (docs/governance.md)."""
    st = state(ctx)
    report = import_governance(st.engine, st.settings, paths, actor=_actor(actor), strict=strict)
    print_import(report)


@app.command("measures")
def measures(
    ctx: typer.Context,
    system: str | None = SYSTEM,
    period: str = PERIOD,
    as_of: date | None = AS_OF,
    by_body: bool = typer.Option(False, "--by-body", help="Add one set of rows per body."),
    detail: bool = typer.Option(False, "--detail", help="Every measure as a row (long form)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Transparency, partner voice, delegation and leadership stability per system."""
    st = state(ctx)
    span = Period.parse(period, today=today())
    when = as_of or min(span.end, today())
    code = _system(ctx, system, when)
    rows = all_measures(st.engine, span, system=code, as_of=when, by_body=by_body)
    if detail or by_body:
        emit([r.as_dict() for r in rows], fmt, title=f"Governance measures, {span.label}")
    else:
        table = system_table(st.engine, rows, span)
        if fmt is OutputFormat.TABLE:  # names make the terminal table too wide
            table = [{k: v for k, v in r.items() if k != "name"} for r in table]
        emit(table, fmt, title=f"Governance measures, {span.label} (%)")


@app.command("export")
def export(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="A new folder for the public record."),
    system: str | None = SYSTEM,
    as_of: date | None = AS_OF,
) -> None:
    """Export the public record (never confidential papers or private meeting parts)."""
    st = state(ctx)
    when = as_of or today()
    counts = export_public_record(
        st.engine, st.settings, folder, when, system=_system(ctx, system, when)
    )
    emit(
        [{"listing": k, "rows": v} for k, v in counts.items()],
        OutputFormat.TABLE,
        title=f"Exported to {folder}",
    )


STABILITY_COLUMNS = {
    "stable_6m_share": "stable_6m",
    "stable_12m_share": "stable_12m",
    "turnover_12m": "turnover_12m",
    "interim_share": "interim",
    "vacancy_share": "vacant",
    "median_vacancy_days": "median_vacancy_days",
}


@leadership_app.command("stability")
def stability(
    ctx: typer.Context,
    as_of: date | None = AS_OF,
    system: str | None = SYSTEM,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Leadership stability per system and across all systems, as at a date."""
    st = state(ctx)
    when = as_of or today()
    rows = leadership(st.engine, when, system=_system(ctx, system, when))
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        row = table.setdefault(r.system_code, {"system": r.system_code, "posts": None})
        if r.measure == "vacancy_share":
            row["posts"] = r.denominator
        if r.measure in STABILITY_COLUMNS:
            shown = (
                r.value if r.value is None or r.measure == "median_vacancy_days" else 100 * r.value
            )
            row[STABILITY_COLUMNS[r.measure]] = None if shown is None else round(shown, 1)
        elif r.measure == "background_share" and fmt is not OutputFormat.TABLE:
            row[f"bg_{r.breakdown}"] = None if r.value is None else round(100 * r.value, 1)
    emit(list(table.values()), fmt, title=f"Leadership stability as at {when} (%)")


DEMO_PERIOD = Period(date(2024, 4, 1), date(2025, 3, 31))
DEMO_TABLES = {
    "Transparency and partner voice, 2024/25 (%; notice in days; system names above)": (
        "public_meetings",
        "papers_on_time",
        "notice_days",
        "attendance",
        "non_nhs_items",
        "non_nhs_decisions",
        "dissent",
    ),
    "Delegation, 2024/25 (% of allocation); leadership at 31 March 2025 (%; vacancy in days)": (
        "to_place",
        "to_collaboratives",
        "stable_6m",
        "stable_12m",
        "turnover",
        "interim",
        "vacancy_days",
    ),
}


def print_demo_measures(engine: Any) -> None:
    """The governance measures of every demo system, as two tables."""
    rows = all_measures(engine, DEMO_PERIOD, as_of=DEMO_PERIOD.end)
    table = system_table(engine, rows, DEMO_PERIOD)
    for title, columns in DEMO_TABLES.items():
        shown = [r for r in table if any(r[c] is not None for c in columns)]
        emit(
            [{"system": r["system"]} | {c: r[c] for c in columns} for r in shown],
            OutputFormat.TABLE,
            title=title,
        )
