"""Alembic environment: run with a connection handed over by core.db.Database.migrate()."""

from alembic import context

from core.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
