"""``icsys reference load``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from icsys.cli.output import console
from icsys.cli.params import _parse_date
from icsys.cli.state import state
from icsys.reference.load import LoadReport, load_reference

app = typer.Typer(
    help="Load published reference data (ONS lookups, ODS, IMD, populations).", no_args_is_help=True
)


@app.command("load")
def load(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Folders or files of reference data."),
    valid_from: date | None = typer.Option(
        None,
        "--valid-from",
        parser=_parse_date,
        help="Date of validity for every file, instead of the file's own.",
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of the files."),
    strict: bool = typer.Option(
        False, "--strict", help="Fail (changing nothing) if any row would be quarantined."
    ),
) -> None:
    """Read every reference file in DIR (recognised by its columns) into the store, atomically."""
    st = state(ctx)
    with console.status("reading reference files…") as status:
        report = load_reference(
            st.engine,
            st.settings,
            paths,
            valid_from=valid_from,
            encoding=encoding,
            strict=strict,
            progress=status.update,
        )
    print_report(report)


def print_report(report: LoadReport) -> None:
    table = Table(title="Reference load: rows read = loaded + quarantined + out of scope")
    for column in ("file", "format", "status", "read", "loaded", "quarantined", "out of scope"):
        table.add_column(
            column,
            justify="right"
            if column in {"read", "loaded", "quarantined", "out of scope"}
            else "left",
        )
    for f in report.files:
        table.add_row(
            f.label,
            f.kind,
            f.status,
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_quarantined),
            str(f.rows_out_of_scope),
        )
    console.print(table)
    for f in report.files:
        for reason, count in sorted(f.out_of_scope.items()):
            console.print(f"  {f.label}: {count} row(s) out of scope: {reason}")
        if f.quarantine_file:
            console.print(
                f"  [yellow]{f.label}: {f.rows_quarantined} row(s) quarantined"
                f" → {f.quarantine_file}[/]"
            )
        for note in f.notes:
            console.print(f"  {f.label}: {note}")
    console.print(
        f"{sum(f.status == 'loaded' for f in report.files)} file(s) loaded, "
        f"{sum(f.status == 'already loaded' for f in report.files)} already loaded, "
        f"{report.edges_written} dated edges, {report.successions} code successions, "
        f"in {report.seconds:.1f} s"
    )
