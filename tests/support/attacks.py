"""What the attack tests share: web chat clients from many addresses, the Slack and Telegram channels on one
app, a terminal engine, and normalising what a person sees so two probes can be compared."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core, create_app, wiring
from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.store import SqlConversationStore
from channels.telegram import TelegramChannel
from core.secrets.questions import QUESTION_POOL
from core.storage.models import HandoffTicket, OutboxMessage
from dialogs.recovery import INITIAL
from tests.channels.conftest import ChatClient
from tests.conftest import CoreFactory
from tests.fakes.slack_api import running_slack_api
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi, running_telegram_api
from tests.support import FakeClock, deliver_queued
from tests.support.slack import SIGNING_SECRET, SlackWorkspace

__all__ = [
    "TELEGRAM_SECRET",
    "Channels",
    "TelegramUser",
    "channels_app",
    "chat_from",
    "handoff_reasons",
    "mask",
    "median_ms",
    "outbox",
    "slack_view",
    "telegram_view",
    "terminal_engine",
    "terminal_view",
    "timed",
    "web_app",
    "wrong_code",
]

TELEGRAM_SECRET = "attack-tests-webhook-secret"
# json.dumps writes "•" as \u2022: "to e•••@example.com", "to the phone ending 01"
_TO_EMAIL = re.compile(r"to [A-Za-z0-9](?:•|\\u2022){3}@")
_TO_PHONE = re.compile(r"phone ending \d\d\b")
_REFERENCE = re.compile(r"RD-[0-9A-Z]{6}")
_QUESTION = re.compile(r"(Question \d+ of \d+: )([^\"]*)")
_POOL_TEXTS = {q.text for q in QUESTION_POOL}


def mask(value: Any) -> Any:
    """What a person sees, with what is random by design replaced: ticket references (random per ticket) and
    the wording of a drawn challenge question (2 of 3 drawn at random per recovery), which must come from the
    fixed pool, and the letter or digits of a masked destination (a decoy's come from a keyed hash; the shape and
    the email domain must match). Anything else that differs between two probes is a difference the attacker can
    see too."""
    text = json.dumps(value, sort_keys=True)

    def question(match: re.Match[str]) -> str:
        assert match.group(2) in _POOL_TEXTS, match.group(2)
        return match.group(1) + "<a question from the pool>"

    text = _TO_PHONE.sub("phone ending <nn>", _TO_EMAIL.sub("to <x>•••@", text))
    return json.loads(_QUESTION.sub(question, _REFERENCE.sub("RD-<ref>", text)))


def web_app(make_core: CoreFactory, **overrides: Any) -> tuple[Flask, Core]:
    core = make_core(**overrides)
    app = create_app(core=core)
    app.testing = True
    return app, core


def chat_from(app: Flask, address: str) -> ChatClient:
    """A web chat session opened from `address` (each attacker address has its own per-address limits)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return ChatClient(client)


def outbox(core: Core) -> list[OutboxMessage]:
    deliver_queued(core)
    with core.database.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def handoff_reasons(core: Core) -> list[str]:
    with core.database.transaction() as session:
        return list(session.scalars(select(HandoffTicket.reason).order_by(HandoffTicket.id)))


def wrong_code(right: str) -> str:
    """A well-formed code that is certainly not `right`."""
    return "".join(str((int(d) + 1) % 10) for d in right)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


# -- the terminal engine ---------------------------------------------------------------------------------------


def terminal_engine(core: Core, clock: FakeClock) -> Engine:
    """The engine `python app.py chat` runs; `Engine.handle` is all the terminal adds around it."""
    return Engine(core.recovery, SqlConversationStore(core.database, clock, initial_state=INITIAL), clock)


def terminal_view(engine: Engine, user_id: str, text: str) -> list[dict[str, Any]]:
    return [_reply_view(r) for r in engine.handle(Inbound("terminal", user_id, text))]


def _reply_view(reply: Reply) -> dict[str, Any]:
    return {"text": reply.text, "choices": [list(c) for c in reply.choices], "expects": reply.expects,
            "link": None if reply.link is None else reply.link.label}  # fmt: skip


# -- Slack and Telegram on one app --------------------------------------------------------------------------------


@dataclass
class Channels:
    app: Flask
    core: Core
    slack: SlackWorkspace
    telegram_api: FakeTelegramApi


@contextmanager
def channels_app(make_core: CoreFactory, **overrides: Any) -> Iterator[Channels]:
    """One app with the web, Slack (signed HTTP events) and Telegram (webhook) channels on, against local fakes
    of the Slack Web API and the Telegram Bot API. Slack work is done before the HTTP answer (deterministic)."""
    with running_slack_api() as slack_api, running_telegram_api() as telegram_api:
        core = make_core(
            slack_bot_token=slack_api.bot_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack_api.url,
            slack_process_before_response=True,
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=TELEGRAM_SECRET,
            telegram_api_url=telegram_api.url,
            **overrides,
        )
        app = create_app(core=core)
        app.testing = True
        try:
            yield Channels(app, core, SlackWorkspace(app.test_client(), slack_api), telegram_api)
        finally:
            channel: TelegramChannel = wiring(app).channel(TelegramChannel)
            channel.close()
            assert channel.handler_errors == 0


def slack_view(message: dict[str, Any]) -> dict[str, Any]:
    """A posted Slack message without what names the DM it went to."""
    return {k: v for k, v in message.items() if k not in {"channel", "ts"}}


def telegram_view(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "chat_id"}


_TELEGRAM_IDS = iter(range(910_000, 10**9))


class TelegramUser:
    """Someone writing to the bot in a private chat; each message is a webhook update as Telegram sends it."""

    def __init__(self, channels: Channels, user_id: int) -> None:
        self.client: FlaskClient = channels.app.test_client()
        self.api = channels.telegram_api
        self.user_id = user_id

    def say(self, text: str) -> tuple[int, list[dict[str, Any]], int]:
        """(HTTP status, the bot's messages in answer, how many of this chat's messages the bot deleted)."""
        sent_before = len(self.api.calls_to("sendMessage"))
        deleted_before = self._deleted()
        update = {
            "update_id": next(_TELEGRAM_IDS),
            "message": {
                "message_id": next(_TELEGRAM_IDS),
                "date": int(time.time()),
                "chat": {"id": self.user_id, "type": "private", "first_name": "Alex"},
                "from": {"id": self.user_id, "is_bot": False, "first_name": "Alex", "language_code": "en"},
                "text": text,
            },
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        response = self.client.post("/telegram/webhook", json=update, headers=headers)
        replies = [
            telegram_view(c.params)
            for c in self.api.calls_to("sendMessage")[sent_before:]
            if c.params["chat_id"] == self.user_id
        ]
        return response.status_code, replies, self._deleted() - deleted_before

    def _deleted(self) -> int:
        return sum(1 for c in self.api.calls_to("deleteMessage") if c.params["chat_id"] == self.user_id)
