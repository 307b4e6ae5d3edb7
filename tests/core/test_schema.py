"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL: a model changed
without its migration (or the reverse) fails here instead of in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.storage.db import Database
from core.storage.models import Base


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": database.is_sqlite})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
