"""Every channel implements the one Channel contract, create_app keeps one typed Wiring on the app, and the
ticket-alert decision (Slack support channel or email) is made in app.py alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app import Core, ticket_alerts, wiring
from bot.messages import Reply
from channels.contract import Channel
from channels.slack import SlackChannel
from channels.slack.alerts import SlackTicketAlert
from channels.telegram import TelegramChannel
from channels.web import WebChannel
from core.delivery.alerts import EmailTicketAlert
from tests.channels.conftest import ChatClient

SLACK = {"slack_bot_token": "xoxb-contract-test", "slack_signing_secret": "contract-test-signing-secret"}
TELEGRAM = {"telegram_bot_token": "123456:contract-test-token", "telegram_webhook_secret": "contract-secret"}


@pytest.fixture
def every_channel(make_app) -> Iterator[tuple[Flask, Core]]:  # type: ignore[no-untyped-def]
    app, core = make_app(**SLACK, **TELEGRAM)
    yield app, core
    wiring(app).channel(TelegramChannel).close()


def test_every_channel_implements_the_contract(every_channel: tuple[Flask, Core]) -> None:
    app, core = every_channel
    wired = wiring(app)
    assert wired.core is core
    assert [type(channel) for channel in wired.channels] == [WebChannel, SlackChannel, TelegramChannel]
    assert all(isinstance(channel, Channel) for channel in wired.channels)
    assert [channel.name for channel in wired.channels] == ["web", "slack", "telegram"]
    assert wired.background() == []  # HTTP mode and a webhook: nothing to start
    assert [key for key in app.extensions if key.startswith("resetdesk")] == ["resetdesk"]


def test_the_engine_pushes_through_each_channels_deliver(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    delivered: list[tuple[str, str, str]] = []
    for kind in (SlackChannel, TelegramChannel):  # spies in place of the platform calls, before create_app
        monkeypatch.setattr(
            kind, "deliver", lambda self, user_id, replies: delivered.append((self.name, user_id, replies[0].text))
        )
    app, _ = make_app(**SLACK, **TELEGRAM)
    engine = wiring(app).engine
    try:
        for name in ("slack", "telegram"):
            assert engine.push.deliver(name, "u1", [Reply(f"hello {name}")])
        assert not engine.push.deliver("sms", "u1", [Reply("hello")])  # no such channel: it cannot push
    finally:
        wiring(app).channel(TelegramChannel).close()
    assert delivered == [("slack", "u1", "hello slack"), ("telegram", "u1", "hello telegram")]


def test_web_push_lands_in_the_chat_history(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app()
    client = app.test_client()
    chat = ChatClient(client)
    assert wiring(app).engine.push.deliver("web", chat.key, [Reply("an agent speaks", author="agent")])
    polled = client.get(f"/api/chat/messages?after={chat.last_seq}").get_json()
    assert [(m["from"], m["text"]) for m in polled["messages"]] == [("agent", "an agent speaks")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"support_email": "helpdesk@example.com"}, [EmailTicketAlert]),
        ({**SLACK, "support_email": "helpdesk@example.com"}, [EmailTicketAlert]),  # Slack on, no support channel
        ({**SLACK, "support_slack_channel": "C0SUPPORT", "support_email": "helpdesk@example.com"}, [SlackTicketAlert]),
    ],
)
def test_ticket_alerts_go_to_one_place(make_app, overrides: dict[str, Any], expected: list[type]) -> None:  # type: ignore[no-untyped-def]
    app, core = make_app(**overrides)
    assert [type(alert) for alert in core.recovery.ticket_alerts] == expected
    assert [type(alert) for alert in ticket_alerts(core, wiring(app))] == expected  # built again: the same


def test_without_the_slack_channel_slack_alerts_are_not_replaced_by_email(make_core) -> None:  # type: ignore[no-untyped-def]
    # The terminal chat has no channels: with a Slack support channel configured, it sends no email either.
    core = make_core(**SLACK, support_slack_channel="C0SUPPORT", support_email="helpdesk@example.com")
    assert ticket_alerts(core, None) == []
