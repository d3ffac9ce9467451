"""``icsys assess run|explain|compare|peers|history|sensitivity|oversight|evidence``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import Engine

from icsys.assessment import service
from icsys.assessment.evidence import read_evidence_file, record_evidence
from icsys.assessment.frameworks.loader import LoadedFramework, load_framework
from icsys.assessment.peers import DEFAULT_WEIGHTS, FEATURES, PeerConfig
from icsys.cli.output import console, emit
from icsys.cli.params import AS_OF, FORMAT, OutputFormat, today
from icsys.cli.state import state
from icsys.config import Settings
from icsys.domain.levels import Level
from icsys.errors import UserError
from icsys.reference.register import Snapshot

app = typer.Typer(
    help="Maturity assessment, oversight segments, peer groups and comparison of systems.",
    no_args_is_help=True,
)

FRAMEWORK = typer.Option(
    None,
    "--framework",
    help="A framework YAML file, or a shipped name (default icsys_maturity_v1).",
)
SHORT = {
    "system_wide_solutions": "system_wide",
    "leadership_balance": "balance",
    "equal_partnership": "partnership",
    "place_and_neighbourhood": "place",
    "population_health": "pop_health",
    "shared_outcomes": "outcomes",
    "leadership": "leadership",
    "transparency": "transparency",
}


def _framework(text: str | None) -> LoadedFramework:
    return load_framework(text)


def _pairs(items: list[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected {what}=NUMBER")
    return out


def _names(engine: Engine, as_of: date) -> dict[str, str | None]:
    snap = Snapshot(engine, as_of)
    return {c: snap.name(Level.SYSTEM, c) for c in snap.codes(Level.SYSTEM)}


def _short(rows: list[dict[str, Any]], fmt: OutputFormat) -> list[dict[str, Any]]:
    if fmt is not OutputFormat.TABLE:
        return rows
    return [{SHORT.get(k, k): v for k, v in r.items() if k != "name"} for r in rows]


@app.command("run")
def run(
    ctx: typer.Context,
    as_of: date | None = AS_OF,
    framework: str | None = FRAMEWORK,
    system: list[str] | None = typer.Option(None, "--system", help="Only these systems."),
    record: bool = typer.Option(True, "--record/--no-record", help="Record the run (history)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Assess systems: the stage per domain and overall, and the oversight segment."""
    st = state(ctx)
    when = as_of or today()
    result = service.assess(
        st.engine,
        as_of=when,
        framework=_framework(framework),
        source=service.default_source(st.engine, st.settings),
        systems=system or None,
        record=record,
    )
    title = f"{result.framework.framework.key}, as at {when}" + (
        f" (run {result.run_id})" if result.run_id else ""
    )
    emit(_short(result.table(), fmt), fmt, title=title)


@app.command("explain")
def explain(
    ctx: typer.Context,
    system: str = typer.Argument(..., help="A system by GSS code, ODS code or name."),
    as_of: date | None = AS_OF,
    framework: str | None = FRAMEWORK,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Every criterion for one system: value, rule, threshold, outcome and evidence."""
    st = state(ctx)
    when = as_of or today()
    result = service.explain(
        st.engine,
        system,
        as_of=when,
        framework=_framework(framework),
        source=service.default_source(st.engine, st.settings),
    )
    stage_of = {d.domain: d.stage.label if d.stage else None for d in result.domains}
    overall = result.overall.label if result.overall else None
    rows = [
        c.row() | {"domain_stage": stage_of[c.domain], "overall": overall}
        for c in result.criteria()
    ]
    if fmt is not OutputFormat.TABLE:  # one table: each criterion with its domain's stage
        emit(rows, fmt)
        return
    if fmt is OutputFormat.TABLE:
        rows = [
            {
                "criterion": f"{r['domain']}.{r['criterion']}",
                "rule": r["rule"] if r["kind"] == "computed" else "(evidenced)",
                "value": None if r["value"] is None else round(r["value"], 3),
                "outcome": r["outcome"],
                "evidence": r["evidence"] or ("" if r["kind"] == "computed" else "none"),
            }
            for r in rows
        ]
    emit(rows, fmt, title=f"{result.system} as at {when}: every criterion")
    levels = [
        {"domain": d.domain, "score": None if d.score is None else round(d.score, 3),
         "stage": d.stage.label if d.stage else None, "gates_unmet": ", ".join(d.gates_unmet)}
        for d in result.domains
    ]  # fmt: skip
    levels.append(
        {
            "domain": "overall",
            "score": None if result.overall_score is None else round(result.overall_score, 3),
            "stage": result.overall.label if result.overall else None,
            "gates_unmet": "",
        }
    )
    emit(levels, fmt, title="Stages (score = weighted share of criteria met)")
    for note in result.notes:
        console.print(f"note: {note}")


@app.command("compare")
def compare(
    ctx: typer.Context,
    measure: str = typer.Argument(
        ..., help="governance.<measure>[.<breakdown>], indicator.<id> or structure.<feature>."
    ),
    system: str = typer.Argument(..., help="A system by GSS code, ODS code or name."),
    as_of: date | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """A system's value against England, its region and its peers (rank, quartile, funnel
    limits at 95% and 99.8%, significance) and its SPC picture."""
    st = state(ctx)
    when = as_of or today()
    result = service.compare(
        st.engine,
        measure,
        system,
        as_of=when,
        source=service.default_source(st.engine, st.settings),
    )
    rows = result.rows()
    if fmt is OutputFormat.TABLE:
        keep = ("comparator", "comparator_value", "value", "rank", "of", "quartile",
                "lower_99.8", "lower_95", "upper_95", "upper_99.8", "funnel_position",
                "judgement")  # fmt: skip
        rows = [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in r.items() if k in keep}
            for r in rows
        ]
    emit(rows, fmt, title=f"{measure}, {result.system}, as at {when}")
    if fmt is OutputFormat.TABLE:
        spc = result.spc
        if spc is not None:
            console.print(
                f"SPC ({spc.preset}): {spc.points} points to {spc.last_date}; last point "
                f"{spc.last_point_type}; variation {spc.variation_icon}; "
                f"{spc.special_cause_points} special-cause points"
            )
        for note in result.notes:
            console.print(f"note: {note}")


@app.command("peers")
def peers(
    ctx: typer.Context,
    system: str | None = typer.Argument(None, help="A system; omit for every system's peers."),
    n: int = typer.Option(5, "--n", min=1, help="How many peers."),
    weight: list[str] | None = typer.Option(
        None, "--weight", help=f"FEATURE=WEIGHT (features: {', '.join(FEATURES)})."
    ),
    features: bool = typer.Option(False, "--features", help="Show the system's features too."),
    as_of: date | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Nearest neighbours on structural need, each explained by its distance and drivers."""
    st = state(ctx)
    when = as_of or today()
    weights = DEFAULT_WEIGHTS | _pairs(weight, "FEATURE")
    try:
        config = PeerConfig(weights=weights, n=n)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    model = service.peer_model(st.engine, as_of=when, config=config)
    names = _names(st.engine, when)
    if system is None:
        rows = [
            {"system": s, "peers": ", ".join(p.code for p in model.peers(s))} for s in model.systems
        ]
        emit(rows, fmt, title=f"Peers of every system as at {when}")
        return
    code = Snapshot(st.engine, when).resolve_system(system)
    if features:
        emit(
            [
                {"feature": f, "weight": weights.get(f, 0.0), "value": model.raw[code].get(f),
                 "z": round(model.z[code][f], 3)}
                for f in FEATURES
            ],
            fmt,
            title=f"Features of {code} {names.get(code) or ''}",
        )  # fmt: skip
    rows = service.peer_rows(model, code, names, n)
    if fmt is OutputFormat.TABLE:
        rows = [{k: v for k, v in r.items() if k != "alike_on"} for r in rows]
    emit(rows, fmt, title=f"Peers of {code} {names.get(code) or ''} as at {when}")
    if fmt is OutputFormat.TABLE:
        for note in model.notes:
            console.print(f"note: {note}")


@app.command("history")
def history(
    ctx: typer.Context,
    system: str = typer.Argument(..., help="A system by GSS code, ODS code or name."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The stages of one system in every recorded run."""
    st = state(ctx)
    code = Snapshot(st.engine, today()).resolve_system(system)
    emit(_short(service.history(st.engine, code), fmt), fmt, title=f"Assessments of {code}")


@app.command("sensitivity")
def sensitivity(
    ctx: typer.Context,
    change: list[str] | None = typer.Option(
        None,
        "--set",
        help="KEY=VALUE: stages.<stage>, <domain>.weight, <domain>.<criterion>.weight or "
        "<domain>.<criterion>.<parameter>. Without --set: a sweep of every parameter ±10%% "
        "and every stage threshold ±0.05.",
    ),
    as_of: date | None = AS_OF,
    framework: str | None = FRAMEWORK,
    fmt: OutputFormat = FORMAT,
) -> None:
    """What changes if a weight or threshold changes (nothing is recorded)."""
    st = state(ctx)
    when = as_of or today()
    source = service.default_source(st.engine, st.settings)
    loaded = _framework(framework)
    changes = _pairs(change, "KEY")
    if changes:
        found = service.sensitivity(st.engine, changes, as_of=when, framework=loaded, source=source)
        emit(
            [c.__dict__ for c in found] or [{"result": "nothing changes"}],
            fmt,
            title=f"What changes with {changes}",
        )
    else:
        rows = service.sensitivity_sweep(st.engine, as_of=when, framework=loaded, source=source)
        emit(rows, fmt, title="Systems whose overall stage changes")


@app.command("oversight")
def oversight(
    ctx: typer.Context,
    as_of: date | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Oversight segments of systems (NOF method; our assumptions are listed)."""
    st = state(ctx)
    when = as_of or today()
    result = service.system_oversight(
        st.engine, as_of=when, source=service.default_source(st.engine, st.settings)
    )
    emit([r.row() for r in result.rows], fmt, title=f"Oversight segments as at {when}")
    if fmt is OutputFormat.TABLE:
        console.print("Assumptions that are ours, not NHS England's:")
        for a in result.assumptions:
            console.print(f"  - {a}")


@app.command("evidence")
def evidence(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A YAML file with a list under 'evidence:'."),
) -> None:
    """Record evidence for evidenced criteria (statements, documents, reviews)."""
    st = state(ctx)
    count = record_evidence(st.engine, read_evidence_file(file), base=file.parent)
    console.print(f"recorded {count} evidence submissions")


DEMO_DATES = (date(2024, 9, 30), date(2025, 3, 31))  # the demo register starts 2024-04-01


def print_demo_assessment(engine: Engine, settings: Settings) -> None:
    """Assess every demo system at two dates; print the latest levels, segments and the top 5
    peers of the first system."""
    source = service.default_source(engine, settings)
    result = None
    for when in DEMO_DATES:
        result = service.assess(engine, as_of=when, source=source)
    assert result is not None  # noqa: S101 - DEMO_DATES is not empty
    domains = [d.id for d in result.framework.framework.domains]
    letter = {"emerging": "E", "developing": "D", "maturing": "M", "thriving": "T", None: "-"}
    rows = [
        {"system": r["system"]}
        | {f"d{i}": letter[r[d]] for i, d in enumerate(domains, start=1)}
        | {"overall": r["overall"], "segment": r["segment"]}
        for r in result.table()
    ]
    emit(
        rows,
        OutputFormat.TABLE,
        title=f"Maturity ({result.framework.framework.key}) and oversight segment, "
        f"as at {result.as_of}",
    )
    console.print(
        "E emerging, D developing, M maturing, T thriving; "
        + ", ".join(f"d{i} {d}" for i, d in enumerate(domains, start=1))
        + ". Segment 1 (best) to 4; `icsys assess explain SYSTEM` shows every criterion."
    )
    first = result.results[0].system
    model = service.peer_model(engine, as_of=result.as_of)
    rows = service.peer_rows(model, first, result.names, 5)
    emit(
        [{k: v for k, v in r.items() if k != "alike_on"} for r in rows],
        OutputFormat.TABLE,
        title=f"Top 5 peers of {first} {result.names.get(first) or ''}",
    )
