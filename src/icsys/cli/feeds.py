"""``icsys feeds``: load partner feeds into the lake, show what is loaded, print the contracts."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from icsys.cli.output import console, emit
from icsys.cli.params import FORMAT, OutputFormat, _parse_date
from icsys.cli.state import state
from icsys.feeds.contracts import all_feeds, contract, render_markdown
from icsys.feeds.docs import render_contract
from icsys.feeds.ingest import FeedLoadReport, load_feed
from icsys.feeds.status import batch_status, feed_status

app = typer.Typer(
    help="Partner feeds: contracts, loading into the lake, status.", no_args_is_help=True
)


@app.command("load")
def load(
    ctx: typer.Context,
    feed: str = typer.Argument(..., help=f"The feed: {', '.join(all_feeds())}."),
    paths: list[Path] = typer.Argument(..., help="CSV or Parquet files, or folders of them."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV files."),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="conditions: CSV of code_system, code, cluster."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Fail (loading nothing) if any row would be quarantined."
    ),
    today: date | None = typer.Option(
        None, "--today", parser=_parse_date, help="Load date for the future-date check."
    ),
) -> None:
    """Validate FEED files against the contract and add them to the lake as one atomic batch."""
    st = state(ctx)
    c = contract(feed)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"loading {c.name}", total=None)
        report = load_feed(
            st.engine,
            st.settings,
            c.name,
            paths,
            encoding=encoding,
            mapping=mapping,
            strict=strict,
            today=today,
            environ=ctx.meta.get("environ"),
            progress=lambda message, done, total: bar.update(
                task, description=message, completed=done, total=total or None
            ),
        )
    print_report(report)


def print_report(report: FeedLoadReport) -> None:
    table = Table(title=f"{report.feed}: rows read = loaded + quarantined + out of scope")
    for column in ("file", "status", "read", "loaded", "quarantined", "out of scope", "reconciles"):
        table.add_column(column, justify="left" if column in {"file", "status"} else "right")
    for f in report.files:
        table.add_row(
            f.name,
            f.status,
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_quarantined:,}",
            f"{f.rows_out_of_scope:,}",
            "yes" if f.reconciles else "NO",
        )
    console.print(table)
    for f in report.files:
        for reason, count in sorted(f.out_of_scope.items()):
            console.print(f"  {f.name}: {count} row(s) out of scope: {reason}")
        for note in f.notes:
            console.print(f"  {f.name}: {note}")
    if report.quarantine_file:
        console.print(
            f"[yellow]{report.rows_quarantined:,} row(s) quarantined → {report.quarantine_file}[/]"
        )
    rate = report.rows_read / report.seconds if report.seconds else 0
    console.print(
        f"batch {report.batch_id or '(nothing new)'}: {report.rows_loaded:,} rows loaded in "
        f"{report.seconds:.1f} s ({rate:,.0f} rows/s)"
    )


@app.command("status")
def status(
    ctx: typer.Context,
    feed: str | None = typer.Argument(None, help="Show the files of one feed's batches."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """What is loaded, when, and how many rows were quarantined."""
    st = state(ctx)
    if feed:
        emit(
            batch_status(st.settings, contract(feed).name), fmt, title=f"{feed}: committed batches"
        )
    else:
        emit(feed_status(st.settings), fmt, title="Feeds in the lake")


@app.command("contracts")
def contracts(
    feed: str | None = typer.Argument(None, help="One feed's contract."),
    markdown: bool = typer.Option(False, "--markdown", help="The whole reference (docs/feeds.md)."),
) -> None:
    """Print the feed contracts: columns, types, codes and keys."""
    if markdown or feed is None:
        sys.stdout.write(render_markdown())
        return
    sys.stdout.write("\n".join(render_contract(contract(feed))))
