"""The operational store: SQLAlchemy tables, Alembic migrations, data-folder layout."""
