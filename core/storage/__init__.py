"""Storage: the database engine and sessions (`db`), the SQLAlchemy models, and the Alembic migrations."""
