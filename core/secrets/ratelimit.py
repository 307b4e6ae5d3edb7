"""Fixed-window rate limits kept in the database, so every worker and host shares one count."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import RateLimitWindow, table_of

__all__ = ["Limit", "RateLimiter"]

_PURGE_ONE_IN = 200  # old windows are deleted now and then, not on every hit
_TABLE = table_of(RateLimitWindow)
_PURGE = delete(_TABLE).where(_TABLE.c.window_start < bindparam("before"))


@dataclass(frozen=True)
class Limit:
    """At most `allowed` requests for `key` in each fixed window of `window_seconds`."""

    key: str
    allowed: int
    window_seconds: int = 60


class RateLimiter:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        # Built once: constructing the upsert costs more than running it. Parameters come at execute time;
        # several rows go out as one multi-row INSERT … ON CONFLICT … RETURNING.
        insert = sqlite.insert if database.is_sqlite else postgresql.insert
        self._upsert = (
            insert(_TABLE)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.key, _TABLE.c.window_start], set_={"count": _TABLE.c.count + 1}
            )
            .returning(_TABLE.c.key, _TABLE.c.count)
        )

    def hit(self, key: str, *, limit: int, window_seconds: int) -> int | None:
        """Count one request for `key`. None if it is allowed, else the seconds until it would be."""
        return self.hit_all([Limit(key, limit, window_seconds)])

    def hit_all(self, limits: Sequence[Limit]) -> int | None:
        """Count one request against every limit (distinct keys) in one statement.

        None if all allow it, else the seconds until every one of them would.
        """
        if not limits:
            return None
        if len({limit.key for limit in limits}) != len(limits):
            raise ValueError("each limit needs its own key")  # one upsert cannot touch a row twice
        now = self._clock.now()
        starts = {limit.key: _window_start(now, limit.window_seconds) for limit in limits}
        rows = [{"key": key, "window_start": start, "count": 1} for key, start in starts.items()]
        with self._db.engine.begin() as connection:
            counts: dict[str, int] = {key: count for key, count in connection.execute(self._upsert, rows)}
            if secrets.randbelow(_PURGE_ONE_IN) == 0:
                connection.execute(_PURGE, {"before": now - timedelta(days=1)})
        waits = [
            max(1, int((starts[limit.key] + timedelta(seconds=limit.window_seconds) - now).total_seconds() + 0.999))
            for limit in limits
            if counts[limit.key] > limit.allowed
        ]
        return max(waits, default=None)


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = datetime(2000, 1, 1)
    elapsed = int((now - epoch).total_seconds())
    return epoch + timedelta(seconds=elapsed - elapsed % window_seconds)
