"""``icsys users``: portal accounts."""

from __future__ import annotations

import sys

import typer

from icsys.cli.output import emit
from icsys.cli.params import FORMAT, OutputFormat
from icsys.cli.state import state

app = typer.Typer(help="Accounts of the web portal.", no_args_is_help=True)
ROLES = ("member", "analyst", "admin")


def _role(value: str) -> str:
    role = value.strip().lower()
    if role not in ROLES:
        raise typer.BadParameter(f"expected one of {', '.join(ROLES)}")
    return role


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The sign-in name."),
    role: str = typer.Option(..., "--role", callback=_role, help="member, analyst or admin."),
    system: str | None = typer.Option(
        None, "--system", help="The system (GSS code) an analyst works for."
    ),
    person: str | None = typer.Option(
        None, "--person", help="A member's person id in the governance register."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (for scripts)."
    ),
) -> None:
    """Create an account (the password is asked for, or read with --password-stdin)."""
    from icsys.web.auth import Role, add_user  # noqa: PLC0415 - keeps the CLI light

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    st = state(ctx)
    user_id = add_user(
        st.engine, username, password, Role(role), system_code=system, person_id=person
    )
    typer.echo(f"created {role} {username!r} (id {user_id})")


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every account (never the password hashes)."""
    from icsys.web.auth import list_users  # noqa: PLC0415

    emit(list_users(state(ctx).engine), fmt, title="Accounts")


@app.command("disable")
def disable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Disable an account and end its sessions."""
    from icsys.web.auth import set_disabled  # noqa: PLC0415

    set_disabled(state(ctx).engine, username, disabled=True)
    typer.echo(f"disabled {username!r}")


@app.command("enable")
def enable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Enable a disabled account."""
    from icsys.web.auth import set_disabled  # noqa: PLC0415

    set_disabled(state(ctx).engine, username, disabled=False)
    typer.echo(f"enabled {username!r}")
