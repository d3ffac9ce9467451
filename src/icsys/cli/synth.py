"""``icsys synth``: synthetic data generated into the formats real data arrives in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from icsys.cli.output import console
from icsys.cli.params import _parse_date
from icsys.cli.state import state
from icsys.synth.population.generate import DEFAULT_END, PopulationSpec
from icsys.synth.population.service import PopulationResult, synthesise_population
from icsys.synth.population.write import FORMATS

app = typer.Typer(help="Synthetic data: a population and its care events.", no_args_is_help=True)


@app.command("population")
def population(
    ctx: typer.Context,
    persons: int = typer.Option(100_000, "--persons", help="People alive at the start."),
    years: int = typer.Option(3, "--years", help="Years of events, ending on --end."),
    seed: int = typer.Option(2026, "--seed", help="Same seed, same files."),
    end: date | None = typer.Option(
        None, "--end", parser=_parse_date, help="Last day of the period [default: 2025-03-31]."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the feed files (default <home>/synthetic-feeds)."
    ),
    load: bool = typer.Option(
        True, "--load/--no-load", help="Load every feed through the ingest afterwards."
    ),
    fmt: str = typer.Option("parquet", "--format", help=f"File format: {', '.join(FORMATS)}."),
    workers: int = typer.Option(2, "--workers", help="Worker processes (output is the same)."),
    system: list[str] = typer.Option(
        [],
        "--system",
        help="Place people only in this system (ICB code, E54…; repeatable): one ICS's "
        "population with its practices and PCNs at their real sizes (default: everywhere).",
    ),
) -> None:
    """Generate a synthetic population in the feed formats and load it like partner files.

    People are placed in the LSOAs of the structure register by age (the real England structure
    when reference data is loaded, else the synthetic world), registered at practices in the same
    sub-ICB location, and followed with conditions, moves, deaths and care events.
    """
    st = state(ctx)
    spec = PopulationSpec(
        persons=persons,
        years=years,
        seed=seed,
        end=end or DEFAULT_END,
        workers=workers,
        systems=tuple(system),
    )
    with console.status("generating the synthetic population…") as status:
        result = synthesise_population(
            st.engine, st.settings, spec, out=out, load=load, fmt=fmt, progress=status.update
        )
    print_population(result)


def print_population(result: PopulationResult) -> None:
    """The generation summary and, when loaded, the reconciliation of every feed."""
    g = result.generation
    rate = g.total_rows / g.seconds if g.seconds else 0.0
    if result.world_loaded:
        console.print("The register was empty: loaded the synthetic world first.")
    console.print(
        f"Generated {g.people:,} persons ({g.spec.persons:,} at {g.spec.start} plus births) on "
        f"the {g.basis} structure, {g.spec.start} to {g.spec.end}: {g.total_rows:,} rows in "
        f"{g.seconds:.1f} s ({rate:,.0f} rows/s) → {g.folder}"
    )
    table = Table(title="Synthetic feeds: rows generated = read = loaded + quarantined")
    for column in ("feed", "generated", "read", "loaded", "quarantined", "reconciles"):
        table.add_column(column, justify="left" if column == "feed" else "right")
    loads = {r.feed: r for r in result.loads}
    for feed, rows in g.rows.items():
        r = loads.get(feed)
        if r is None:
            table.add_row(feed, f"{rows:,}", "", "", "", "")
            continue
        ok = all(f.reconciles for f in r.files) and (
            r.rows_read == rows or all(f.status != "loaded" for f in r.files)
        )
        table.add_row(
            feed,
            f"{rows:,}",
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_quarantined:,}",
            "yes" if ok else "NO",
        )
    console.print(table)
    if result.loads:
        fresh = sum(1 for r in result.loads if r.batch_id)
        console.print(
            f"Loaded {result.rows_loaded:,} rows in {result.load_seconds:.1f} s "
            f"({result.rows_read / max(result.load_seconds, 1e-9):,.0f} rows/s); "
            f"{fresh} new batch(es), {len(result.loads) - fresh} feed(s) already loaded"
        )
        for r in result.loads:
            if r.quarantine_file:
                console.print(
                    f"[yellow]{r.feed}: {r.rows_quarantined:,} row(s) quarantined → "
                    f"{r.quarantine_file}[/]"
                )
