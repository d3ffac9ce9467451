"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL: a
model change without its migration (or the reverse) fails here, not in a user's upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import icsys.store.assessment_models
import icsys.store.governance_models
import icsys.store.web_models  # noqa: F401 - importing a models module registers its tables
from icsys.store.models import metadata


def test_the_migrated_store_matches_the_models(store):
    assert {"gov_audit", "assessment_run", "access_audit"} <= set(metadata.tables)
    with store.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
