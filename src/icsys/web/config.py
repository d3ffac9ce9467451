"""Settings of the web portal, built once at the edge (``icsys serve`` or a test) and passed in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from icsys.config import Settings
from icsys.errors import ConfigError
from icsys.governance.papers import MAX_BYTES

SECRET_FILE = "web-secret.key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class WebConfig:
    """How the portal signs, limits and protects what it serves.

    ``secure_cookies`` sets the ``Secure`` flag on every cookie; browsers accept such cookies on
    ``http://127.0.0.1`` and ``http://localhost`` too, so it stays on unless a deployment serves
    plain HTTP on another host (which it should not).
    """

    secret_key: bytes
    secure_cookies: bool = True
    session_minutes: int = 8 * 60
    login_attempts: int = 5  # failed sign-ins allowed per username and client in the window
    login_attempts_per_client: int = 20  # failed sign-ins allowed per client in the window
    login_window_seconds: int = 15 * 60
    max_upload_bytes: int = MAX_BYTES
    snapshot_ttl_seconds: int = 300  # how long a register snapshot is reused between requests
    page_cache_entries: int = 512  # anonymous responses kept until the data changes (0: none)

    def __post_init__(self) -> None:
        if len(self.secret_key) < MIN_SECRET_BYTES:
            raise ConfigError(f"the web secret key must be at least {MIN_SECRET_BYTES} bytes")


def secret_key(settings: Settings, environ: Mapping[str, str] | None = None) -> bytes:
    """``ICSYS_SECRET_KEY``, else the key kept in the data folder (made on first use, mode 0600)."""
    env = os.environ if environ is None else environ
    if value := env.get("ICSYS_SECRET_KEY"):
        return value.encode()
    path: Path = settings.home / SECRET_FILE
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip().encode()


def web_config(settings: Settings, environ: Mapping[str, str] | None = None) -> WebConfig:
    """The default configuration for a data folder."""
    return WebConfig(secret_key=secret_key(settings, environ))
