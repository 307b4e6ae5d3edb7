"""Helpers shared by tests: an injectable clock and cheap settings."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.settings import Settings
from core.storage.db import Database

__all__ = ["FakeClock", "deliver_queued", "json_request", "make_settings", "migrated_sqlite"]


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, 0)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        self._now += timedelta(seconds=seconds, **kwargs)


def deliver_queued(core: Any) -> int:
    """Send what the delivery queue holds now (the delivery worker's job), so a test can read its outbox or
    SMTP server right after the chat said "sent". Returns how many jobs were worked."""
    from app import build_delivery_worker

    return build_delivery_worker(core).drain()


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: no `.env`, a fixed key, and a cheap argon2 profile.

    The argon2 cost is set with model_copy because Settings refuses values below OWASP's floor.
    """
    base = Settings(_env_file=None, secret_key="test-secret-key-not-for-production", **overrides)  # type: ignore[call-arg]
    cheap = {"argon2_memory_kib": 64, "argon2_time_cost": 1}
    return base.model_copy(update={k: v for k, v in cheap.items() if k not in overrides})


def json_request(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    source: str | None = None,
    host: str = "127.0.0.1",
    timeout: float = 60.0,
) -> tuple[int, Any]:
    """One JSON request over a fresh connection, optionally from a given loopback address (so load from
    many "clients" is not one address to the rate limits). Returns (status, parsed body or None)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        connection.close()


@contextmanager
def migrated_sqlite(path: Path) -> Iterator[Database]:
    """A fresh SQLite database file at `path` with the schema migrated, disposed afterwards."""
    database = Database(f"sqlite:///{path}")
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()
