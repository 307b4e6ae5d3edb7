"""Storage: the database engine and sessions (`db`), the SQLAlchemy models (the `models` package, one module per
group of tables on one `Base`, all re-exported by `core.storage.models`), retention, and the Alembic migrations."""
