"""``icsys indicators``: list the library, compute it into the mart, show one indicator."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import typer

from icsys.cli.output import console, emit
from icsys.cli.params import FORMAT, OutputFormat, _parse_date
from icsys.cli.state import state

app = typer.Typer(help="Indicators: definitions, computation and results.", no_args_is_help=True)


@app.command("list")
def list_(fmt: OutputFormat = FORMAT) -> None:
    """List the indicator library (definitions shipped with icsys)."""
    from icsys.analytics.service import list_indicators  # noqa: PLC0415 - keep startup fast

    rows = list_indicators()
    if fmt is OutputFormat.TABLE:
        rows = [{k: r[k] for k in ("id", "title", "basis", "method", "unit")} for r in rows]
    emit(rows, fmt, title=f"{len(rows)} indicators")


@app.command("compute")
def compute(
    ctx: typer.Context,
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark."),
    as_of: date | None = typer.Option(
        None,
        "--as-of",
        parser=_parse_date,
        help="Structure date: every period is shown on the boundaries in force then "
        "[default: the end of the last period].",
    ),
    end: date | None = typer.Option(
        None,
        "--end",
        parser=_parse_date,
        help="Last day periods may reach [default: the latest event date in the lake].",
    ),
    indicator: list[str] | None = typer.Option(
        None, "--indicator", "-i", help="Compute only these indicators (repeatable)."
    ),
    months: int = typer.Option(24, "--months", help="Monthly periods to compute."),
    quarters: int = typer.Option(8, "--quarters", help="Quarterly periods to compute."),
    years: int = typer.Option(3, "--years", help="Financial years to compute."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help=(
            "Processes finishing indicators as their families are aggregated "
            "[default: one per CPU, at most 4]."
        ),
    ),
) -> None:
    """Compute the indicator library into the indicator_values mart."""
    from icsys.analytics.service import compute as run  # noqa: PLC0415

    if engine not in {"duckdb", "spark"}:
        raise typer.BadParameter("--engine must be duckdb or spark")
    st = state(ctx)
    with console.status("computing indicators…") as status:
        result = run(
            st.settings,
            st.engine,
            engine=engine,  # type: ignore[arg-type]
            as_of=as_of,
            end=end,
            indicators=indicator or None,
            months=months,
            quarters=quarters,
            years=years,
            progress=status.update,
            workers=workers,
        )
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    console.print(
        f"{result.indicators} indicators, {result.rows:,} values on {result.engine} "
        f"(structure as at {result.as_of}, periods to {result.period_end}; {seconds}); "
        f"run {result.run_id}"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    indicator: str = typer.Argument(..., help="Indicator id (see `icsys indicators list`)."),
    area: str = typer.Option(..., "--area", help="Area code (GSS, PCN or trust ODS code)."),
    breakdown: str = typer.Option(
        "all",
        "--breakdown",
        help="all, sex, age_band, imd_quintile, imd_decile, core20 or ethnicity_group.",
    ),
    period_type: str | None = typer.Option(
        None, "--period-type", help="month, quarter or financial_year [default: all]."
    ),
    analyst: bool = typer.Option(
        False, "--analyst", help="Unsuppressed analyst values (default: the public view)."
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Values, 95% limits and the SPC summary of one indicator for one area."""
    from icsys.analytics.service import show as run  # noqa: PLC0415

    st = state(ctx)
    result = run(
        st.settings,
        indicator,
        area=area,
        breakdown=breakdown,
        period_type=period_type,
        public=not analyst,
    )
    spc = asdict(result.spc) if result.spc else None
    if fmt is OutputFormat.JSON:
        import json  # noqa: PLC0415
        import sys  # noqa: PLC0415

        payload = {
            "indicator": result.indicator_id,
            "title": result.title,
            "unit": result.unit,
            "area": result.area_code,
            "public": result.public,
            "rows": result.rows,
            "spc": spc,
        }
        sys.stdout.write(json.dumps(payload, default=str, indent=1) + "\n")
        return
    view = "public view" if result.public else "analyst view"
    emit(result.rows, fmt, title=f"{result.title} ({result.unit}) — {area}, {view}")
    if fmt is OutputFormat.TABLE:
        if spc is None:
            console.print("SPC: too few points for a chart.")
        else:
            console.print(
                f"SPC ({spc['rules']}, {spc['period_type']}, {spc['points']} points): "
                f"mean {_num(spc['mean'])}, limits {_num(spc['lower_limit'])}–"
                f"{_num(spc['upper_limit'])}, variation {spc['variation_icon']}, "
                f"latest point {spc['latest_point_type']}"
            )


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


HEADLINE = (
    "registered_population", "pct_aged_65_plus", "pct_core20", "prevalence_diabetes",
    "multimorbidity_2plus", "emergency_admissions_dsr", "ae_attendances_rate",
    "ae_4hr_performance", "rtt_under_18_weeks", "outpatient_dna_rate", "mortality_under75_dsr",
    "cost_per_head", "sii_emergency_admissions",
)  # fmt: skip


def print_indicator_headline(ctx: typer.Context) -> None:
    """The demo's step: compute the library, then a headline table for the largest system."""
    from icsys.analytics import service  # noqa: PLC0415

    st = state(ctx)
    with console.status("computing indicators…") as status:
        result = service.compute(
            st.settings, st.engine, months=13, quarters=4, years=2, progress=status.update
        )
    console.print(
        f"Indicators: {result.indicators} computed, {result.rows:,} values "
        f"({result.seconds.get('structure', 0) + result.seconds.get('total', 0):.0f} s)"
    )
    sizes = service.values(st.settings, indicator="registered_population", public=False)
    sizes = sizes[(sizes["level"] == "system") & (sizes["breakdown"] == "all")]
    if sizes.empty:
        return
    system = str(sizes.sort_values(["period_end", "value"]).iloc[-1]["area_code"])
    rows = service.headline(st.settings, system, HEADLINE)
    emit(rows, OutputFormat.TABLE, title=f"Headline indicators for {system} (public view)")
