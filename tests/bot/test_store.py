"""The SQL conversation store's own promise: a turn that outlived its lease cannot overwrite a newer one. What
every store promises (one turn at a time, versions, saving) is in tests/bot/test_store_contract.py."""

from __future__ import annotations

import pytest

from bot.store import ConversationConflictError, SqlConversationStore
from core.storage.db import Database
from tests.support import FakeClock


def make_store(database: Database, clock: FakeClock, **kwargs: float) -> SqlConversationStore:
    return SqlConversationStore(database, clock, initial_state="idle", **kwargs)


def test_a_turn_that_outlived_its_lease_cannot_overwrite_a_newer_one(database: Database, clock: FakeClock) -> None:
    store = make_store(database, clock, lease_seconds=30)
    slow = store.claim("web", "u1")
    record = slow.__enter__()
    record.state = "stale"
    clock.advance(31)  # the lease is over: another worker may take the conversation
    with store.claim("web", "u1") as newer:
        newer.state = "fresh"
    with pytest.raises(ConversationConflictError):
        slow.__exit__(None, None, None)
    with store.claim("web", "u1") as current:
        assert current.state == "fresh"
