"""The "IT support" label on an agent's message is in the language of the reply (the conversation's), even when
the channel renders it outside that turn (a push from the agent console, which speaks the agent's language)."""

# ruff: noqa: F811  (the fixtures are imported from tests/support/telegram.py, then used as arguments)
from __future__ import annotations

import re
import time

import pytest

from app import wiring
from bot.messages import Reply
from bot.relay import SupportRelay
from channels.slack.render import message_args
from channels.telegram.render import render
from core.i18n import use_language
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.telegram import Person, TelegramApp, telegram, telegram_api  # noqa: F401 (fixtures)

LABELS = {"es": "Soporte de TI", "de": "IT-Support", "en": "IT support"}


@pytest.mark.parametrize("lang", ["es", "de", "en"])
def test_slack_and_telegram_label_agent_messages_in_the_replys_language(lang: str) -> None:
    with use_language(lang):
        reply = Reply("Hola", author="agent")
    with use_language("en"):  # rendered later, in another language's scope
        slack = message_args(reply)["text"]
        telegram = render(reply)[0][0]
    assert slack.startswith(f"*{LABELS[lang]}:* Hola")
    assert telegram == f"{LABELS[lang]}: Hola"


def test_the_bots_own_replies_carry_no_label() -> None:
    with use_language("es"):
        reply = Reply("Hola")
    assert render(reply)[0][0] == "Hola" and message_args(reply)["text"] == "Hola"


def test_an_agent_message_from_a_german_console_reaches_a_spanish_telegram_user_labelled_in_spanish(
    telegram: TelegramApp, telegram_api: FakeTelegramApi
) -> None:
    app, core = telegram()
    person = Person(app.test_client(), telegram_api, 4343, language_code="es")
    person.say("hola")
    reference = re.search(r"RD-[0-9A-Z]{6}", person.say("agente")[-1]["text"])
    assert reference is not None
    agent = core.support.create_agent("sam", "Sam", "agent password for tests")
    assert core.support.take(reference.group(0), agent)
    relay = SupportRelay(wiring(app).engine, core.support, core.recovery)
    before = len(telegram_api.calls_to("sendMessage"))
    with use_language("de"):  # the console's request speaks the agent's language
        assert relay.say(reference.group(0), agent, "Hola, soy Sam")
    deadline = time.monotonic() + 5  # pushes go out on the channel's loop thread
    while len(telegram_api.calls_to("sendMessage")) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert telegram_api.calls_to("sendMessage")[before].params["text"] == "Soporte de TI: Hola, soy Sam"
