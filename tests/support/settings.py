"""Cheap settings and a migrated SQLite file for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.storage.db import Database

__all__ = ["make_settings", "migrated_sqlite"]


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: no `.env`, a fixed key, and a cheap argon2 profile.

    The argon2 cost is set with model_copy because Settings refuses values below OWASP's floor.
    """
    base = Settings(_env_file=None, secret_key="test-secret-key-not-for-production", **overrides)  # type: ignore[call-arg]
    cheap = {"argon2_memory_kib": 64, "argon2_time_cost": 1}
    return base.model_copy(update={k: v for k, v in cheap.items() if k not in overrides})


@contextmanager
def migrated_sqlite(path: Path) -> Iterator[Database]:
    """A fresh SQLite database file at `path` with the schema migrated, disposed afterwards."""
    database = Database(f"sqlite:///{path}")
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()
