from __future__ import annotations

import pytest

from core.secrets.ratelimit import Limit, RateLimiter
from core.storage.db import Database, count_statements
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


def test_hit_all_counts_every_limit_in_one_statement(database: Database, clock: FakeClock) -> None:
    clock.advance(seconds=-clock.now().second)
    limiter = RateLimiter(database, clock)
    both = [Limit("addr", allowed=3), Limit("session", allowed=1)]
    with count_statements(database.engine) as statements:
        assert limiter.hit_all(both) is None
    assert statements == [1]
    clock.advance(20)
    assert limiter.hit_all(both) == 40  # the session's second message in the minute is one too many
    assert limiter.hit_all([Limit("addr", allowed=3)]) is None  # ...and both calls counted against the address
    assert limiter.hit_all([Limit("addr", allowed=3)]) == 40


def test_hit_all_waits_for_the_longest_window(database: Database, clock: FakeClock) -> None:
    clock.advance(seconds=-(clock.now().minute % 5) * 60 - clock.now().second)  # on a 5-minute boundary
    limiter = RateLimiter(database, clock)
    limits = [Limit("short", allowed=0, window_seconds=60), Limit("long", allowed=0, window_seconds=300)]
    assert limiter.hit_all(limits) == 300


def test_hit_all_refuses_a_key_twice(database: Database, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="own key"):
        RateLimiter(database, clock).hit_all([Limit("k", 1), Limit("k", 2)])


def test_hit_all_with_no_limits_allows(database: Database, clock: FakeClock) -> None:
    assert RateLimiter(database, clock).hit_all([]) is None
