"""Transcript tests for the recovery conversation: a `Chat` that says things to the real engine and reads replies.

The engine runs on the test database (SQLite, and PostgreSQL when configured) with the real RecoveryService
from `make_core`, outbox delivery and the FakeClock, so a test reads like the conversation it checks:

    chat.say("I forgot my password")
    assert "employee ID" in chat.last.text
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import Core
from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.store import SqlConversationStore
from core.secrets.questions import find_question
from core.storage.models import Conversation, HandoffTicket
from dialogs.recovery import INITIAL
from tests.core.conftest import ANSWERS, add_employee, last_outbox_code, outbox_count
from tests.support import FakeClock

__all__ = [
    "ANSWERS",
    "Chat",
    "ChatFactory",
    "add_employee",
    "answer_for",
    "last_outbox_code",
    "outbox_count",
]

# A password the reset page accepts (long, strong, unrelated to the employee's name or IDs).
NEW_PASSWORD = "plum orbit cascade 71 hinge"


def answer_for(question_text: str, answers: dict[str, str] = ANSWERS) -> str:
    """The enrolled answer to a question as the bot words it ("Question 1 of 2: What was ...?")."""
    for question_id, answer in answers.items():
        question = find_question(question_id)
        assert question is not None
        if question.text in question_text:
            return answer
    raise AssertionError(f"no enrolled answer for {question_text!r}")


class Chat:
    """One person (channel, user_id) talking to the engine; keeps every reply for the test to read."""

    def __init__(self, engine: Engine, core: Core, *, channel: str = "web", user_id: str = "user-1") -> None:
        self.engine = engine
        self.core = core
        self.channel = channel
        self.user_id = user_id
        self.replies: list[Reply] = []  # the replies to the last message
        self.history: list[tuple[str, list[Reply]]] = []

    def say(self, text: str) -> list[Reply]:
        self.replies = self.engine.handle(Inbound(self.channel, self.user_id, text))
        self.history.append((text, self.replies))
        return self.replies

    # -- reading what the bot said ------------------------------------------------------------------------

    @property
    def last(self) -> Reply:
        assert self.replies, "the bot said nothing"
        return self.replies[-1]

    @property
    def text(self) -> str:
        """Everything the bot said to the last message, as one string."""
        return " ".join(reply.text for reply in self.replies)

    @property
    def choice_values(self) -> list[str]:
        return [value for _, value in self.last.choices]

    def all_bot_text(self) -> str:
        return "\n".join(reply.text for _, replies in self.history for reply in replies)

    # -- what happened behind the conversation ------------------------------------------------------------

    def code(self, kind: str = "email") -> str:
        return last_outbox_code(self.core, kind)

    def conversation(self) -> Conversation:
        with self.core.database.transaction() as session:
            row = session.get(Conversation, (self.channel, self.user_id))
            assert row is not None, "no conversation stored yet"
            session.expunge(row)
            return row

    @property
    def state(self) -> str:
        return self.conversation().state

    def ticket(self) -> HandoffTicket | None:
        with self.core.database.transaction() as session:
            row = session.scalars(
                select(HandoffTicket).where(
                    HandoffTicket.channel == self.channel, HandoffTicket.channel_user == self.user_id
                )
            ).first()
            if row is not None:
                session.expunge(row)
            return row

    # -- scripted stretches -------------------------------------------------------------------------------

    def reach_methods(self, employee: str = "E1001", need: str = "I forgot my password") -> None:
        """Say what you need and who you are, up to the choice of verification method."""
        self.say(need)
        assert "employee ID or username" in self.last.text, self.text
        self.say(employee)
        assert "How would you like to confirm it's you?" in self.last.text, self.text

    def verify_by_email(self, employee: str = "E1001", need: str = "I forgot my password") -> None:
        """The shortest way to being verified: an email code."""
        self.reach_methods(employee, need)
        self.say("email")
        self.say(self.code("email"))
        assert "you're verified" in self.text or "unlocked" in self.text, self.text

    def answer_questions(self, answers: dict[str, str] = ANSWERS) -> None:
        """Answer every question asked, rightly."""
        while self.last.text.startswith("Question"):
            self.say(answer_for(self.last.text, answers))

    def reset_token(self) -> str:
        """The token from the reset link the bot sent most recently."""
        for _, replies in reversed(self.history):
            for reply in reversed(replies):
                if reply.link is not None:
                    return urlsplit(reply.link.url).path.rsplit("/", 1)[-1]
        raise AssertionError("no reset link was sent")


ChatFactory = Callable[..., Chat]


@pytest.fixture
def make_chat(make_core: Callable[..., Core], clock: FakeClock) -> Iterator[ChatFactory]:
    """`make_chat(user_id="u2")` -> a Chat; every chat of a test shares one core, engine and store."""
    shared: dict[str, Any] = {}

    def factory(*, user_id: str = "user-1", channel: str = "web", **core_overrides: Any) -> Chat:
        if "engine" not in shared or core_overrides:
            core = make_core(**core_overrides)
            store = SqlConversationStore(core.database, clock, initial_state=INITIAL)
            shared.update(core=core, engine=Engine(core.recovery, store, clock))
        return Chat(shared["engine"], shared["core"], channel=channel, user_id=user_id)

    yield factory


@pytest.fixture
def chat(make_chat: ChatFactory) -> Chat:
    return make_chat()


@pytest.fixture
def employee(chat: Chat) -> int:
    """E1001 with SMS, email and three enrolled answers."""
    return add_employee(chat.core, "E1001")
