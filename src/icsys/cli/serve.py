"""``icsys serve``: the web portal and API over the data folder."""

from __future__ import annotations

import typer

from icsys.cli.output import console
from icsys.cli.state import State, state

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_PAGE_CACHE = 512


def run_server(st: State, host: str, port: int, page_cache: int = DEFAULT_PAGE_CACHE) -> None:
    """Serve until interrupted (Ctrl-C), printing the address first."""
    import dataclasses  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415 - only the serving commands need the server

    from icsys.web.app import create_app  # noqa: PLC0415
    from icsys.web.config import web_config  # noqa: PLC0415

    config = dataclasses.replace(web_config(st.settings), page_cache_entries=page_cache)
    app = create_app(st.settings, config, engine=st.engine)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving icsys at [bold]http://{shown}:{port}[/] (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def serve(
    ctx: typer.Context,
    host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port."),
    page_cache: int = typer.Option(
        DEFAULT_PAGE_CACHE,
        "--page-cache",
        min=0,
        help="Anonymous answers kept in memory until the data changes (0: none).",
    ),
) -> None:
    """Serve the portal (NHS.UK pages) and the JSON API (/api/v1) over the data folder."""
    run_server(state(ctx), host, port, page_cache)
