"""Flooding: someone asks for code after code for one account (to spam its owner, or run up SMS bills) from many
chat sessions, Slack users and Telegram users. Sends are capped per account (5 an hour, 60 s apart), whoever
asks, and the cap must not keep the owner out: questions and a person still work."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient, csrf_of
from tests.conftest import CoreFactory
from tests.core.conftest import ANSWERS, add_employee
from tests.support import FakeClock
from tests.support.attacks import Channels, TelegramUser, channels_app, chat_from, outbox, web_app
from tests.support.slack import text_of

QUESTIONS = {"What was the name of your first pet?": "first_pet", "In what city were you born?": "birth_city",
             "What was the name of your first school?": "first_school"}  # fmt: skip
NEW_PASSWORD = "copper meadow 62 lantern drift"
AGENT_PASSWORD = "agent password for the flood test"
CAPPED = "Too many codes were sent for this account recently."
SENT = ("sent a 6-digit code", "texted a 6-digit code")


def ask_for_a_code(channels: Channels, n: int) -> str:
    """Attacker number `n` (a new web visitor, Telegram user or Slack user in turn) asks for a code for E1001;
    returns what the bot answered the request for the code."""
    method = ("email", "sms")[n % 2]
    if n % 3 == 0:
        chat = chat_from(channels.app, f"198.51.100.{n}")
        for text in ("I forgot my password", "E1001"):
            chat.say(text)
        return " ".join(m["text"] for m in chat.say(method))
    if n % 3 == 1:
        person = TelegramUser(channels, 8_000_000 + n)
        for text in ("I forgot my password", "E1001"):
            person.say(text)
        return " ".join(str(p["text"]) for p in person.say(method)[1])
    user = f"U0FLOOD{n:03d}"
    channels.slack.api.add_user(user, email=None)
    for text in ("I forgot my password", "E1001"):
        channels.slack.dm(user, text)
    return " ".join(text_of(m) for m in channels.slack.dm(user, method))


def test_code_send_spam_against_one_account_is_capped_at_5_an_hour_60_s_apart(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    with channels_app(make_core) as channels:
        add_employee(channels.core)
        start = clock.now()
        answers: list[tuple[float, str]] = []
        for n in range(19):  # every 20 s for 6 minutes, by email and SMS, from web, Telegram and Slack in turn
            answers.append(((clock.now() - start).total_seconds(), ask_for_a_code(channels, n)))
            clock.advance(20)
        sent_at = [t for t, text in answers if any(s in text for s in SENT)]
        assert sent_at == [0, 60, 120, 180, 240]
        for t, text in answers:
            if t in sent_at:
                continue
            if t < sent_at[-1]:
                assert f"Please wait {60 - t % 60:.0f} seconds before asking for another code." in text, (t, text)
            else:
                minutes = -(-(3600 - t) // 60)
                assert f"{CAPPED} Try again in {minutes:.0f} minutes, or choose another way." in text, (t, text)
        assert len(outbox(channels.core)) == 5

        # The hour is counted from the oldest send: one second short of it, still capped; then one more.
        clock.advance(seconds=(start - clock.now()).total_seconds() + 3599)
        assert CAPPED in ask_for_a_code(channels, 19)
        clock.advance(1)
        assert any(s in ask_for_a_code(channels, 20) for s in SENT)
        assert len(outbox(channels.core)) == 6


def flood(app: Flask, clock: FakeClock) -> None:
    """Use up the account's hour of codes from five addresses, then keep asking from more."""
    for n in range(8):
        chat = chat_from(app, f"198.51.100.{100 + n}")
        for text in ("I forgot my password", "E1001"):
            chat.say(text)
        chat.say("email")
        clock.advance(61)


def test_code_send_spam_does_not_stop_the_owner_recovering_by_questions(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    app, core = web_app(make_core)
    account_id = add_employee(core)
    flood(app, clock)
    assert len(outbox(core)) == 5

    owner = chat_from(app, "192.0.2.10")
    owner.say("I forgot my password")
    owner.say("E1001")
    refused = owner.say("email")
    assert CAPPED in refused[0]["text"]
    assert "questions" in [c["value"] for c in refused[-1]["choices"]]  # the other ways are still offered
    asked = owner.say("questions")
    for _ in range(2):
        question = re.sub(r"^Question \d of 2: ", "", asked[-1]["text"])
        asked = owner.say(ANSWERS[QUESTIONS[question]])
    link = asked[-1]["link"]
    assert link is not None and "you're verified" in asked[-1]["text"]

    page = owner.client.get(link["url"])
    form = {"csrf_token": csrf_of(page.get_data(as_text=True)), "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert owner.client.post(link["url"], data=form).status_code == 200
    assert core.directory.verify_password(account_id, NEW_PASSWORD)


def owner_asks_for_a_person(app: Flask) -> tuple[ChatClient, str]:
    owner = chat_from(app, "192.0.2.11")
    owner.say("I forgot my password")
    owner.say("E1001")
    assert CAPPED in owner.say("sms")[0]["text"]
    handed = owner.say("I can't use any of these")
    reference = re.search(r"ticket (RD-[0-9A-Z]{6}), you're number 1 in the queue", handed[-1]["text"])
    assert reference is not None, handed
    return owner, reference.group(1)


def test_code_send_spam_does_not_stop_the_owner_getting_a_person(make_core: CoreFactory, clock: FakeClock) -> None:
    app, core = web_app(make_core)
    add_employee(core)
    flood(app, clock)
    owner, reference = owner_asks_for_a_person(app)
    agent, csrf = _signed_in_agent(app, core)
    assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    said = agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": "Hi, Sam from IT here."},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert said.status_code < 400
    assert owner.poll()[-1]["text"] == "Hi, Sam from IT here."
    assert owner.say("It's me, I'm at my desk in building 2") == []  # relayed to Sam, the bot stays quiet
    assert "building 2" in agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)


def test_code_send_spam_does_not_stop_a_person_sending_the_owner_a_reset_link(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    app, core = web_app(make_core)
    account_id = add_employee(core)
    flood(app, clock)
    owner, reference = owner_asks_for_a_person(app)
    agent, csrf = _signed_in_agent(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    sent = agent.post(f"/agent/tickets/{reference}/send-link",
                      data={"csrf_token": csrf, "reason": "Called back on the number in HR records"})  # fmt: skip
    assert sent.status_code == 302
    pushed = owner.poll()[-1]
    assert "IT support has sent you a secure link" in pushed["text"]
    link = pushed["link"] or owner.say("new link")[-1]["link"]
    assert link is not None
    page = owner.client.get(link["url"])
    form = {"csrf_token": csrf_of(page.get_data(as_text=True)), "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert owner.client.post(link["url"], data=form).status_code == 200
    assert core.directory.verify_password(account_id, NEW_PASSWORD)


def _signed_in_agent(app: Flask, core: Core) -> tuple[Any, str]:
    core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
    client = app.test_client()
    login = {"csrf_token": csrf_of(client.get("/agent/login").get_data(as_text=True)), "username": "sam",
             "password": AGENT_PASSWORD}  # fmt: skip
    assert client.post("/agent/login", data=login).status_code == 302
    return client, csrf_of(client.get("/agent").get_data(as_text=True))
