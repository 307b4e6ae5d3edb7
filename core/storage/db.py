"""Database engine, sessions and migrations.

SQLite gets WAL, foreign keys and a busy timeout on every connection so several threads (or processes)
can share one file; PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["MIGRATIONS_DIR", "Database", "count_statements", "rows_changed"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        if url.startswith("sqlite"):
            _ensure_sqlite_folder(url)
            # A threaded server (make run, an office behind one address) may have dozens of requests in flight:
            # a pool the size of SQLAlchemy's default (5 + 10) made them queue for a connection behind ones
            # waiting on a lock, then time out with a 503.
            pool = {} if ":memory:" in url else {"pool_size": 16, "max_overflow": 48}  # :memory: has one connection
            self.engine: Engine = create_engine(url, echo=echo, connect_args={"timeout": 10}, **pool)
            event.listen(self.engine, "connect", _configure_sqlite)
        else:
            # The same sizing for a threaded server; overflow connections close when returned.
            self.engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=16, max_overflow=48)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        with self._sessions.begin() as session:
            yield session

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def rows_changed(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE touched: how conditional updates tell the one winner of a race."""
    assert isinstance(result, CursorResult)
    return result.rowcount


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[int]]:
    """Counts the SQL statements run on `engine` while the block runs: yields [statements]."""
    counter = [0]

    def before(*_: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
