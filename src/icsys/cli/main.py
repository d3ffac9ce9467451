"""Entry point: builds the settings once, maps user errors to exit codes in one place."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

import typer
from rich.markup import escape

from icsys.cli import (
    areas,
    assess,
    demo,
    feeds,
    governance,
    indicators,
    reference,
    report,
    serve,
    structure,
    synth,
    users,
)
from icsys.cli.output import errors
from icsys.cli.state import State
from icsys.config import Settings
from icsys.errors import IcsysError, UserError

app = typer.Typer(
    name="icsys",
    help="icsys: the open operating platform for England's integrated care systems.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(reference.app, name="reference")
app.add_typer(structure.app, name="structure")
app.add_typer(governance.app, name="governance")
app.add_typer(governance.leadership_app, name="leadership")
app.add_typer(feeds.app, name="feeds")
app.add_typer(indicators.app, name="indicators")
app.add_typer(synth.app, name="synth")
app.add_typer(assess.app, name="assess")
app.add_typer(report.app, name="report")
app.command("areas")(areas.areas)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")


@app.callback()
def _settings(ctx: typer.Context) -> None:
    """Read the settings once; commands find them on the context."""
    environ = ctx.meta.get("environ", os.environ)
    ctx.obj = State(Settings.from_environ(environ))


def main(args: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this; no subprocess needed)."""
    command = typer.main.get_command(app)
    meta = {"environ": dict(environ if environ is not None else os.environ)}
    try:
        with command.make_context("icsys", list(args if args is not None else sys.argv[1:])) as ctx:
            ctx.meta.update(meta)
            command.invoke(ctx)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except typer.Abort:
        errors.print("aborted")
        return 1
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            errors.print(f"error: {escape(str(exc))}")
        return int(getattr(exc, "exit_code", 2))
    except UserError as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}")
        return exc.exit_code
    except IcsysError as exc:  # pragma: no cover - an internal error is a bug
        errors.print(f"[bold red]internal error:[/] {escape(str(exc))}")
        return 70
    return 0


def run() -> None:
    sys.exit(main())
