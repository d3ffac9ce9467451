"""Settings, read once from the environment at the edge and passed down explicitly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from icsys.errors import ConfigError

DEFAULT_HOME = "icsys-data"


@dataclass(frozen=True)
class Settings:
    """Where icsys keeps its data and which database it uses."""

    home: Path
    database_url: str | None = None

    @property
    def sqlite_path(self) -> Path:
        return self.home / "icsys.sqlite"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the operational store."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from ``ICSYS_HOME`` and ``ICSYS_DATABASE_URL``."""
        home = Path(environ.get("ICSYS_HOME") or DEFAULT_HOME)
        url = environ.get("ICSYS_DATABASE_URL") or None
        if url is not None and not url.startswith(("sqlite", "postgresql")):
            raise ConfigError(
                f"ICSYS_DATABASE_URL must be a sqlite:// or postgresql:// URL, got {url!r}"
            )
        if url is not None and url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return cls(home=home, database_url=url)
