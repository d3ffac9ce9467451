"""``icsys demo``."""

from __future__ import annotations

import typer

from icsys.cli.assess import print_demo_assessment
from icsys.cli.governance import print_demo_measures
from icsys.cli.indicators import print_indicator_headline
from icsys.cli.output import console
from icsys.cli.reference import print_report
from icsys.cli.serve import DEFAULT_HOST, DEFAULT_PORT, run_server
from icsys.cli.state import state
from icsys.cli.structure import print_tree
from icsys.cli.synth import print_population
from icsys.synth.demo import DEMO_PERSONS, build_demo


def demo(
    ctx: typer.Context,
    seed: int = typer.Option(2026, "--seed", help="Seed of the synthetic world."),
    persons: int = typer.Option(
        DEMO_PERSONS, "--persons", help="People in the synthetic population (0: none)."
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the portal at http://127.0.0.1:8000 at the end."
    ),
) -> None:
    """Build the synthetic demo world into the data folder (idempotently) and summarise it."""
    st = state(ctx)
    with console.status("building the synthetic world…") as status:
        result = build_demo(
            st.engine, st.settings, seed=seed, progress=status.update, persons=persons
        )
    print_report(result.load)
    print_tree(result.summary, detail=False)
    print_demo_measures(st.engine)
    if result.population is not None:
        print_population(result.population)
        print_indicator_headline(ctx)  # computes the library: the assessment below reads it
    print_demo_assessment(st.engine, st.settings)
    console.print(f"Data folder: {st.settings.home.resolve()}")
    if serve:
        run_server(st, DEFAULT_HOST, DEFAULT_PORT)
