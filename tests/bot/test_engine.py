"""Engine.handle end to end with the real service and SQL store: concurrency, idle expiry, redaction."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app import Core
from bot.engine import Engine
from bot.messages import Inbound
from bot.store import SqlConversationStore
from core.storage.models import Conversation, HandoffTicket
from dialogs.prompts import TEXT
from dialogs.recovery import INITIAL
from tests.core.conftest import ANSWERS, add_employee, last_outbox_code
from tests.support import FakeClock


def make_engine(core: Core, clock: FakeClock) -> Engine:
    return Engine(core.recovery, SqlConversationStore(core.database, clock, initial_state=INITIAL), clock)


def stored(core: Core, user_id: str) -> Conversation:
    with core.database.transaction() as session:
        row = session.get(Conversation, ("web", user_id))
        assert row is not None
        return row


def test_two_messages_at_once_are_both_applied_once_in_turn(core: Core, clock: FakeClock) -> None:
    engine = make_engine(core, clock)
    engine.handle(Inbound("web", "u1", "hello"))  # the row exists; now race two messages on it
    barrier = threading.Barrier(2)
    replies: list[str] = []

    def send(text: str) -> None:
        barrier.wait()
        replies.extend(reply.text for reply in engine.handle(Inbound("web", "u1", text)))

    threads = [threading.Thread(target=send, args=(text,)) for text in ("blorp", "zzzt")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row = stored(core, "u1")
    said = [entry["text"] for entry in row.transcript if entry["from"] == "person"]
    assert said[0] == "hello" and sorted(said[1:]) == ["blorp", "zzzt"]
    assert row.slots["unclear"] == 2  # each applied exactly once, one after the other
    assert row.version == 6  # three turns, each claiming (+1) and saving (+1)
    assert len(replies) == 2 and all(TEXT["not_understood"] in text for text in replies)


def test_an_idle_conversation_starts_over_and_says_so(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    engine = make_engine(core, clock)
    engine.handle(Inbound("web", "u1", "I forgot my password"))
    clock.advance(minutes=30)
    assert stored(core, "u1").state == "identify"
    engine.handle(Inbound("web", "u1", "E1001"))  # 30 minutes exactly: still fine
    clock.advance(minutes=30, seconds=1)
    replies = engine.handle(Inbound("web", "u1", "email"))
    assert replies[0].text == TEXT["expired_session"]
    assert stored(core, "u1").state == "need"


def test_codes_and_answers_are_redacted_in_the_transcript_and_ticket(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    engine = make_engine(core, clock)
    for text in ("I forgot my password", "E1001", "email"):
        engine.handle(Inbound("web", "u1", text))
    code = last_outbox_code(core)
    engine.handle(Inbound("web", "u1", f"{code[:3]} {code[3:]}9"))  # a wrong code, typed with a space
    engine.handle(Inbound("web", "u1", "another way"))
    engine.handle(Inbound("web", "u1", "questions"))
    engine.handle(Inbound("web", "u1", ANSWERS["first_pet"]))
    engine.handle(Inbound("web", "u1", "my code was 123-456 I think"))
    engine.handle(Inbound("web", "u1", "agent"))
    with core.database.transaction() as session:
        ticket = session.scalars(select(HandoffTicket)).one()
    text = repr(ticket.transcript)
    assert code[:3] + " " + code[3:] not in text and ANSWERS["first_pet"] not in text and "123-456" not in text
    assert text.count("[redacted]") >= 3
    assert "E1001" in text  # the employee ID is kept: support needs it


def test_a_huge_or_nul_message_is_handled_not_crashed(core: Core, clock: FakeClock) -> None:
    engine = make_engine(core, clock)
    replies = engine.handle(Inbound("web", "u1", "x\x00" * 500_000))
    assert replies and "\x00" not in repr(stored(core, "u1").transcript)
    assert len(stored(core, "u1").transcript[0]["text"]) <= 2000
