"""The conversation store: one turn at a time per conversation, versions, leases."""

from __future__ import annotations

import pytest

from bot.store import ConversationConflictError, SqlConversationStore
from core.storage.db import Database
from tests.support import FakeClock


def make_store(database: Database, clock: FakeClock, **kwargs: float) -> SqlConversationStore:
    return SqlConversationStore(database, clock, initial_state="idle", **kwargs)


def test_a_new_conversation_starts_in_the_initial_state_and_is_saved(database: Database, clock: FakeClock) -> None:
    store = make_store(database, clock)
    with store.claim("web", "u1") as record:
        assert record.state == "idle" and record.updated_at is None
        record.state, record.slots = "need", {"purpose": "reset"}
    with store.claim("web", "u1") as again:
        assert (again.state, again.slots, again.updated_at) == ("need", {"purpose": "reset"}, clock.now())


def test_conversations_are_keyed_by_channel_and_user(database: Database, clock: FakeClock) -> None:
    store = make_store(database, clock)
    with store.claim("slack", "42") as record:
        record.state = "identify"
    with store.claim("telegram", "42") as other:
        assert other.state == "idle"


def test_an_error_in_a_turn_saves_nothing_and_frees_the_conversation(database: Database, clock: FakeClock) -> None:
    store = make_store(database, clock, wait_seconds=0.2)
    with store.claim("web", "u1") as record:
        record.state = "need"
    with pytest.raises(RuntimeError), store.claim("web", "u1") as record:
        record.state = "handoff"
        raise RuntimeError("boom")
    with store.claim("web", "u1") as record:  # would time out if the lease were still held
        assert record.state == "need"


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
