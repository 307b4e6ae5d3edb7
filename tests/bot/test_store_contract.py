"""What every conversation store promises, run against each: the SQL store on SQLite (and on PostgreSQL when
RESETDESK_TEST_POSTGRES_URL is set) and the in-memory one. Leases and their expiry are the SQL store's own:
tests/bot/test_store.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import MemoryConversationStore, SqlConversationStore
from tests.conftest import empty_database
from tests.support import FakeClock

Store = SqlConversationStore | MemoryConversationStore
StoreFactory = Callable[..., Store]


@pytest.fixture(params=["sqlite", "postgresql", "memory"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[StoreFactory]:
    """`make_store(**timing)`: a store starting conversations in "idle"; the timing (lease_seconds,
    wait_seconds) applies to the SQL store, the memory store has no lease and waits on a lock."""
    if request.param == "memory":

        def memory(**timing: float) -> Store:
            return MemoryConversationStore(clock, initial_state="idle")

        yield memory
        return
    with empty_database(request.param, request, tmp_path) as database:

        def sql(**timing: float) -> Store:
            return SqlConversationStore(database, clock, initial_state="idle", **timing)

        yield sql


def test_a_new_conversation_starts_in_the_initial_state_and_is_saved(
    make_store: StoreFactory, clock: FakeClock
) -> None:
    store = make_store()
    with store.claim("web", "u1") as record:
        assert record.state == "idle" and record.updated_at is None
        record.state, record.slots = "need", {"purpose": "reset"}
    with store.claim("web", "u1") as again:
        assert (again.state, again.slots, again.updated_at) == ("need", {"purpose": "reset"}, clock.now())


def test_conversations_are_keyed_by_channel_and_user(make_store: StoreFactory) -> None:
    store = make_store()
    with store.claim("slack", "42") as record:
        record.state = "identify"
    with store.claim("telegram", "42") as other:
        assert other.state == "idle"


def test_an_error_in_a_turn_saves_nothing_and_frees_the_conversation(make_store: StoreFactory) -> None:
    store = make_store(wait_seconds=0.2)
    with store.claim("web", "u1") as record:
        record.state = "need"
    with pytest.raises(RuntimeError), store.claim("web", "u1") as record:
        record.state = "handoff"
        raise RuntimeError("boom")
    with store.claim("web", "u1") as record:  # would time out if the lease were still held
        assert record.state == "need"


def test_slots_and_transcript_come_back_as_saved(make_store: StoreFactory) -> None:
    store = make_store()
    slots: Any = {"purpose": "reset", "handle": "h-1", "hint": "Zoë 🐶"}
    transcript = [
        {"from": "person", "text": "I forgot my password"},
        {"from": "bot", "text": "Your employee ID?", "choices": ["E1001", "cancel"], "link": None},
    ]
    with store.claim("web", "u1") as record:
        record.slots, record.transcript = dict(slots), [dict(line) for line in transcript]
    with store.claim("web", "u1") as again:
        assert (again.slots, again.transcript) == (slots, transcript)


def test_every_turn_sees_a_higher_version_than_the_last(make_store: StoreFactory) -> None:
    store = make_store()
    versions = []
    for _ in range(3):
        with store.claim("web", "u1") as record:
            versions.append(record.version)
    assert versions == sorted(set(versions)), versions


def test_a_second_turn_waits_for_the_first_and_sees_what_it_saved(make_store: StoreFactory) -> None:
    store = make_store()
    seen: list[str] = []

    def second_turn() -> None:
        with store.claim("web", "u1") as record:
            seen.append(record.state)

    with store.claim("web", "u1") as record:
        other = threading.Thread(target=second_turn)
        other.start()
        other.join(0.3)
        assert seen == []  # still waiting for the first turn
        record.state = "need"
    other.join(10)
    assert seen == ["need"]
