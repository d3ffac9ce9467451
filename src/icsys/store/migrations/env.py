"""Alembic environment: the engine is handed over by ``icsys.store.db``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from icsys.store import assessment_models as _assessment_models  # noqa: F401 - registers tables
from icsys.store import governance_models as _governance_models  # noqa: F401 - registers tables
from icsys.store import web_models as _web_models  # noqa: F401 - registers tables
from icsys.store.models import metadata

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only reached from the alembic CLI
    msg = "run migrations through icsys (icsys.store.db.migrate), not the alembic CLI"
    raise TypeError(msg)

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
