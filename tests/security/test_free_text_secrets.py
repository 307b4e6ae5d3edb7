"""Issue 13, finding 7: secrets typed where none was expected are masked before anyone else can read them.

The attack: a person pastes their reset link (or its token) at the ID prompt, while waiting for the link, or
to an agent during a hand-off, and types a password to the agent. Without masking, the agent console shows
them and the conversation, the ticket and the web chat history keep them; with the link anyone reading those
can set the account's password. Driven through the real web chat API and engine on the test database; the
agent's side is read as the console reads it (SupportDesk.view).

What is masked (bot/transcript.py): a reset link always, wherever it is typed; a password-like word during a
hand-off only (see `password_like` for the conservative definition). Employee IDs and ticket references stay
readable, since support needs them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from app import Core, create_app
from bot.transcript import REDACTED, password_like
from core.storage.models import ChatMessage, Conversation, HandoffTicket, TicketMessage
from tests.channels.conftest import ChatClient
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee, last_outbox_code
from tests.support import FakeClock

OLD_PASSWORD = "Summer2024!"
TRIED_PASSWORD = "Tr0ub4dor&3"


def _say(chat: ChatClient, clock: FakeClock, text: str) -> list[dict[str, Any]]:
    clock.advance(4)  # a person's pace: inside the chat API's per-session and per-address limits
    return chat.say(text)


def _reset_link(chat: ChatClient, core: Core, clock: FakeClock) -> str:
    for text in ("I forgot my password", "E1001", "email", last_outbox_code):
        replies = _say(chat, clock, text(core) if callable(text) else text)
    link = replies[-1]["link"]
    assert link is not None, replies
    return str(link["url"])


def _stored(core: Core) -> dict[str, str]:
    """What an agent or an operator can read later: conversations, tickets, ticket lines, chat history."""
    with core.database.transaction() as session:
        places = {
            f"conversation {c.user_id}": json.dumps([c.slots, c.transcript])
            for c in session.scalars(select(Conversation))
        }
        places |= {f"ticket {t.reference}": json.dumps(t.transcript) for t in session.scalars(select(HandoffTicket))}
        places |= {f"ticket line {m.id}": m.text for m in session.scalars(select(TicketMessage))}
        places |= {f"chat history {h.id}": json.dumps(h.payload) for h in session.scalars(select(ChatMessage))}
    return places


def test_a_reset_link_and_passwords_typed_in_free_text_reach_no_agent_and_no_history(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    core = make_core()
    app = create_app(core=core)
    app.testing = True
    add_employee(core, "E1001")
    owner = ChatClient(app.test_client())
    url = _reset_link(owner, core, clock)
    token = url.rsplit("/", 1)[-1]
    _say(owner, clock, url)  # pasted back while the bot waits for the reset ("anywhere")
    _say(owner, clock, f"is it {token}?")  # or just the token

    chat = ChatClient(app.test_client())  # say, someone helping a colleague, or the same person elsewhere
    _say(chat, clock, "I forgot my password")
    _say(chat, clock, url)  # at the ID prompt
    _say(chat, clock, f"the link was {url.removeprefix('http://').removeprefix('https://')}")  # without scheme
    replies = _say(chat, clock, "talk to a person")
    reference = re.search(r"RD-[0-9A-Z]{6}", " ".join(r["text"] for r in replies))
    assert reference is not None, replies
    _say(chat, clock, f"here it is: {url}")
    _say(chat, clock, f"and just the end of it {token}")
    _say(chat, clock, f"my old password was {OLD_PASSWORD} and I also tried {TRIED_PASSWORD}.")
    _say(chat, clock, f"I'm E1001, about {reference.group()}, thanks!")

    # What the agent sees: the ticket's transcript and the lines added while waiting.
    view = core.support.view(reference.group())
    seen = json.dumps([view.transcript, view.messages])
    for secret in (url, token, OLD_PASSWORD, TRIED_PASSWORD):
        assert secret not in seen, f"the agent can read {secret!r}"
    assert f"my old password was {REDACTED} and I also tried {REDACTED}" in seen  # the words around stay
    assert f"here it is: {REDACTED}" in seen
    assert "E1001" in seen and reference.group() in seen  # not over-masked: support needs these

    # What is kept: conversations, tickets and the web chat history (what a reload shows).
    for place, text in _stored(core).items():
        for secret in (url, token, OLD_PASSWORD, TRIED_PASSWORD):
            assert secret not in text, f"{secret!r} kept in {place}"


@pytest.mark.parametrize(
    ("word", "looks_like_a_password"),
    [
        ("Summer2024!", True),
        ("P@ssw0rd", True),
        ("correct-Horse9", True),
        ("(Tr0ub4dor&3).", True),
        ("Thanks!!", False),  # sentence punctuation aside, a word
        ("asmith2024", False),  # a username
        ("jane.doe2", False),
        ("E1001", False),  # an employee ID
        ("EMP-004211", False),
        ("RD-7KQ2XM", False),  # a ticket reference: no lowercase letter
        ("jane.doe@example.com", False),  # an email address
        ("https://portal.example.com/help", False),  # a URL (a reset link is masked by its own rule)
        ('onerror="window.__pwned=1">', False),  # markup or code, shown as typed
        ("hunter2", False),  # too short to tell from a word
        ("password", False),  # one character class
    ],
)
def test_what_counts_as_password_like(word: str, looks_like_a_password: bool) -> None:
    assert password_like(word) is looks_like_a_password
