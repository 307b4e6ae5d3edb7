from __future__ import annotations

from core.db import Database
from core.ratelimit import RateLimiter
from tests.support import FakeClock


def test_limit_per_key_and_window(database: Database, clock: FakeClock) -> None:
    clock.advance(seconds=-clock.now().second)  # start on a minute boundary
    limiter = RateLimiter(database, clock)
    assert [limiter.hit("a", limit=3, window_seconds=60) for _ in range(3)] == [None, None, None]
    assert limiter.hit("a", limit=3, window_seconds=60) == 60
    assert limiter.hit("b", limit=3, window_seconds=60) is None  # other keys are separate
    clock.advance(45)
    assert limiter.hit("a", limit=3, window_seconds=60) == 15
    clock.advance(15)
    assert limiter.hit("a", limit=3, window_seconds=60) is None  # a new window


def test_two_limiters_share_the_count_like_two_workers(database: Database, clock: FakeClock) -> None:
    first, second = RateLimiter(database, clock), RateLimiter(database, clock)
    assert first.hit("k", limit=1, window_seconds=60) is None
    assert second.hit("k", limit=1, window_seconds=60) is not None
