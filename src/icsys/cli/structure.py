"""``icsys structure show`` and ``icsys structure diff``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import typer
from rich.markup import escape
from rich.tree import Tree

from icsys.cli.output import console, emit
from icsys.cli.params import AS_OF, FORMAT, SYSTEM, OutputFormat, _parse_date, today
from icsys.cli.state import state
from icsys.reference.diff import diff
from icsys.reference.register import Snapshot
from icsys.reference.summary import StructureSummary, summarise

app = typer.Typer(
    help="Show the structure of systems, and what changed between dates.", no_args_is_help=True
)


@app.command("show")
def show(
    ctx: typer.Context,
    system: str | None = SYSTEM,
    as_of: date | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The tree of each system (or one): places, sub-ICB locations, PCNs, practices, people."""
    summary = summarise(Snapshot(state(ctx).engine, as_of or today()), system)
    if fmt is OutputFormat.TABLE:
        print_tree(summary, detail=system is not None)
    else:
        emit([asdict(s) for s in summary.systems], fmt)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def print_tree(summary: StructureSummary, *, detail: bool) -> None:
    totals = summary.totals
    root = Tree(
        f"[bold]England as at {summary.as_of}[/]: {totals['systems']} systems "
        f"in {totals['regions']} NHS regions, "
        f"{totals['lsoas']:,} LSOAs, {totals['pcns']:,} PCNs, {totals['practices']:,} practices"
    )
    by_region: dict[str, Tree] = {}
    for s in summary.systems:
        region = by_region.get(s.region_code or "")
        if region is None:
            region = by_region[s.region_code or ""] = root.add(
                f"[bold]{s.region_name}[/] ({s.region_code})"
            )
        node = region.add(
            f"[bold]{s.name}[/] {s.code} ({s.ods_code}): residents {s.resident_population:,}, "
            f"registered {s.registered_population:,}; Core20 {_pct(s.core20_share)}; "
            f"{len(s.places)} places, {len(s.sub_icbs)} sub-ICB locations, {s.pcns} PCNs, "
            f"{s.practices} practices, {s.trusts} trusts"
        )
        if detail:
            quintiles = ", ".join(f"Q{q}: {n}" for q, n in s.imd_quintiles.items())
            node.add(f"LSOAs by national IMD 2025 quintile (1 = most deprived): {quintiles}")
            places = node.add("Places (local authorities)")
            for p in s.places:
                share = "" if p.lsoa_share >= 1 else f", {p.lsoa_share:.0%} of its LSOAs"
                places.add(
                    f"{p.name} {p.code}: {p.lsoas} LSOAs, "
                    f"{p.resident_population:,} residents{share}"
                )
            subs = node.add("Sub-ICB locations")
            for sub in s.sub_icbs:
                subs.add(
                    f"{sub.name} {sub.code} ({sub.ods_code}): {sub.pcns} PCNs, "
                    f"{sub.practices} practices, "
                    f"{sub.registered_population:,} registered"
                )
            if s.practices_without_pcn:
                node.add(f"{s.practices_without_pcn} practice(s) not in a PCN at this date")
    console.print(root)
    if summary.unplaced_practices:
        shown = ", ".join(summary.unplaced_practices[:10])
        more = "…" if len(summary.unplaced_practices) > 10 else ""
        console.print(
            f"[yellow]{len(summary.unplaced_practices)} practice(s) in force "
            "but not placed in a system "
            f"(no sub-ICB location at this date): {shown}{more}[/]"
        )


def _some(codes: list[str], limit: int = 6) -> str:
    return ", ".join(codes[:limit]) + ("…" if len(codes) > limit else "")


@app.command("diff")
def diff_command(
    ctx: typer.Context,
    date_from: date = typer.Option(
        ..., "--from", parser=_parse_date, help="The earlier date (YYYY-MM-DD)."
    ),
    date_to: date = typer.Option(
        ..., "--to", parser=_parse_date, help="The later date (YYYY-MM-DD)."
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """What changed between two dates: successions, new and closed codes, moved children."""
    result = diff(state(ctx).engine, date_from, date_to)
    if fmt is not OutputFormat.TABLE:
        emit([asdict(s) for s in result.successions], fmt)
        return
    title = f"Code successions, {date_from} to {date_to}"
    console.print(f"[bold]{title}[/] ({len(result.successions)})")
    for s in result.successions:
        share = "" if s.share in (None, 1.0) else f", {s.share:.0%} of it"
        console.print(
            escape(
                f"  {s.effective} {s.level}: {s.old_code} {s.old_name or ''} → {s.new_code} "
                f"{s.new_name or ''} [{s.kind}{share}; {s.basis}]"
            )
        )
    for change in result.levels:
        if change.new or change.closed:
            console.print(
                f"{change.level}: {len(change.new)} new ({_some(change.new)}), "
                f"{len(change.closed)} closed ({_some(change.closed)})"
            )
    for level, moves in result.moved.items():
        console.print(
            f"{level}: {sum(moves.values())} moved to another parent, e.g. "
            + "; ".join(f"{k} ({n})" for k, n in moves.most_common(3))
        )
