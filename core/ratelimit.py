"""Fixed-window rate limits kept in the database, so every worker and host shares one count."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from core.clock import Clock
from core.db import Database
from core.models import RateLimitWindow

__all__ = ["RateLimiter"]

_PURGE_ONE_IN = 200  # old windows are deleted now and then, not on every hit


class RateLimiter:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._insert = sqlite.insert if database.is_sqlite else postgresql.insert

    def hit(self, key: str, *, limit: int, window_seconds: int) -> int | None:
        """Count one request for `key`. None if it is allowed, else the seconds until it would be."""
        now = self._clock.now()
        start = _window_start(now, window_seconds)
        insert = self._insert(RateLimitWindow).values(key=key, window_start=start, count=1)
        upsert = insert.on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateLimitWindow.count + 1}
        ).returning(RateLimitWindow.count)
        with self._db.transaction() as session:
            count = session.execute(upsert).scalar_one()
            if secrets.randbelow(_PURGE_ONE_IN) == 0:
                session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < now - timedelta(days=1)))
        if count <= limit:
            return None
        return max(1, int((start + timedelta(seconds=window_seconds) - now).total_seconds() + 0.999))


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = datetime(2000, 1, 1)
    elapsed = int((now - epoch).total_seconds())
    return epoch + timedelta(seconds=elapsed - elapsed % window_seconds)
