"""What live support pushes outside a turn follows the conversation's language, not the agent console's."""

from __future__ import annotations

import re

from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient
from tests.channels.test_agent_console import sign_in
from tests.core.conftest import add_employee
from tests.support import FakeClock

CLOSED_DE = "Der IT-Support hat Ihr Ticket geschlossen."


def german_person_asks_for_a_human(app: Flask, core: Core) -> tuple[ChatClient, str]:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("Deutsch")
    chat.say("Passwort vergessen")
    chat.say("E1001")
    replies = chat.say("Ich möchte mit einem Mitarbeiter sprechen")
    reference = re.search(r"RD-[0-9A-Z]{6}", replies[-1]["text"])
    assert reference is not None, replies
    return chat, reference.group(0)


def test_a_german_person_who_left_the_hand_off_gets_the_closed_notice_in_german(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    chat, reference = german_person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)  # the console speaks English (no Accept-Language)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    clock.advance(61)
    agent.post(
        f"/agent/tickets/{reference}/send-code", data={"csrf_token": csrf, "method": "sms", "reason": "ok per HR"}
    )
    assert chat.poll()[-1]["expects"] == "code"  # out of the hand-off: closing has no dialog reply of its own
    agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": "resolved"})
    notice = chat.poll()[-1]["text"]
    assert notice.startswith(CLOSED_DE) and "closed your ticket" not in notice


def test_a_german_person_in_the_hand_off_gets_the_closed_notice_in_german(app: Flask, core: Core) -> None:
    chat, reference = german_person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": "resolved"})
    assert "closed your ticket" not in chat.poll()[-1]["text"]
