"""``icsys report``: documents built from the records and the indicator mart (board packs)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from icsys.cli.output import console
from icsys.cli.params import _parse_date
from icsys.cli.state import state

if TYPE_CHECKING:  # the board-pack modules load WeasyPrint and pandas: only when run
    from icsys.reports.board_pack.service import Format

FORMATS: tuple[Format, ...] = ("html", "pdf")
app = typer.Typer(help="Reports: board packs for a body's meeting.", no_args_is_help=True)


class PackFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    BOTH = "both"


class PackAudience(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


@app.command("board-pack")
def board_pack(
    ctx: typer.Context,
    body: str = typer.Option(..., "--body", help="The governance body's id."),
    meeting: date = typer.Option(
        ..., "--meeting", parser=_parse_date, help="The meeting's date (YYYY-MM-DD)."
    ),
    out: Path = typer.Option(Path(), "--out", help="Folder to write the pack to."),
    fmt: PackFormat = typer.Option(
        PackFormat.BOTH, "--format", "-f", help="html, pdf or both.", case_sensitive=False
    ),
    audience: PackAudience = typer.Option(
        PackAudience.PUBLIC,
        "--audience",
        help="public (the default: public business and papers only) or members (adds private "
        "business and confidential papers; for the body's members only).",
        case_sensitive=False,
    ),
) -> None:
    """Write the board pack of a meeting: agenda, performance report and decisions log.

    The performance report has SPC charts of the body's system or place from the indicator
    mart's public view; see docs/board-packs.md."""
    from icsys.reports.board_pack import build_board_pack, write_board_pack  # noqa: PLC0415 - weasyprint loads slowly

    st = state(ctx)
    formats: list[Format] = [f for f in FORMATS if fmt in {PackFormat.BOTH, f}]
    with console.status("building the board pack…") as status:
        pack = build_board_pack(
            st.settings,
            st.engine,
            body,
            meeting,
            audience=audience.value,
            progress=status.update,
        )
        paths = write_board_pack(pack, out, formats=formats, progress=status.update)
    if pack.ipr.note:
        console.print(f"[yellow]note:[/] {pack.ipr.note}")
    if audience is PackAudience.MEMBERS:
        console.print("[bold red]members' pack:[/] confidential; do not publish it.")
    for path in paths:
        console.print(f"wrote {path}")
