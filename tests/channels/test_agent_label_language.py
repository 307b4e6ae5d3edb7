"""The "IT support" label on an agent's message is in the language of the reply (the conversation's), even when
the channel renders it outside that turn (a push from the agent console, which speaks the agent's language)."""

from __future__ import annotations

import pytest

from bot.messages import Reply
from channels.slack.render import message_args
from channels.telegram.render import render
from core.i18n import use_language

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
