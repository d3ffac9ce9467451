"""Opening the store and bringing its schema to the current Alembic revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from icsys.config import Settings
from icsys.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_store_engine(settings: Settings) -> Engine:
    """An engine on the configured store; the SQLite file's folder is created if missing."""
    url = settings.url
    if url.startswith("sqlite"):
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def migrate(engine: Engine) -> None:
    """Upgrade the store to the newest schema (a no-op when it is current)."""
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise StoreError(f"cannot open the store at {engine.url!r}: {exc.orig}") from exc
    if current == head_revision():
        return
    command.upgrade(_alembic_config(engine), "head")


def open_store(settings: Settings) -> Engine:
    """Open (and if needed create or upgrade) the store described by ``settings``."""
    engine = create_store_engine(settings)
    migrate(engine)
    return engine
