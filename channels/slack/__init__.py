"""The Slack channel on slack-bolt: HTTP mode at POST /slack/events (signed requests), Socket Mode when an
app-level token is set. A thin adapter: listeners live in events.py, Block Kit in render.py."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter

from bot.dedupe import EventLedger
from bot.engine import Engine
from channels.slack.alerts import TAKE_ACTION, SlackTicketAlert
from channels.slack.events import CHANNEL, SlackChannel
from channels.slack.render import CHOICE_ACTION_PATTERN, LINK_ACTION
from core.directory.port import DirectoryBackend
from core.settings import Settings
from core.types import Requester, Ticket

__all__ = ["register_slack", "retry_handlers", "socket_mode_handler"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_EVENT_BYTES = 256 * 1024  # interactivity payloads carry the whole message; the app default is 8 KiB
API_TIMEOUT_SECONDS = 10


class _EqualJitter(Jitter):
    """Half the interval fixed, half random: short, spread-out waits (slack_sdk's default adds up to 1 s)."""

    def recalculate(self, duration: float) -> float:
        return duration / 2 + random.random() * duration / 2  # timing jitter, not a secret


def retry_handlers() -> list[RetryHandler]:
    """429 waits for Retry-After; 500/503 and dropped connections are retried twice with a short backoff."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.3, jitter=_EqualJitter())
    return [
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
    ]


def _web_client(settings: Settings, token: str | None) -> WebClient:
    base_url = settings.slack_api_url or WebClient.BASE_URL
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=API_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )


def _bolt_logger() -> logging.Logger:
    # Bolt logs request bodies (a person's message, maybe a code) at INFO/DEBUG, e.g. for a bad signature.
    logger = logging.getLogger("resetdesk.slack.bolt")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
    return logger


def socket_mode_handler(bolt: App, app_token: str) -> Any:
    """Bolt's built-in Socket Mode client for this app (constructing it starts its worker threads)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(bolt, app_token)


def register_slack(
    app: Flask,
    *,
    engine: Engine,
    settings: Settings,
    directory: DirectoryBackend,
    ledger: EventLedger,
    ticket_alerts: list[Callable[[Ticket, Requester], None]] | None = None,
) -> App:
    assert settings.slack_bot_token is not None, "the Slack channel needs RESETDESK_SLACK_BOT_TOKEN"
    bot_token = settings.slack_bot_token.get_secret_value()
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # One workspace, one bot token: no auth.test round trip on start-up or per request.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    bolt = App(
        name="resetdesk.slack.bolt",  # also the name of its per-request logger (see _bolt_logger)
        logger=_bolt_logger(),
        client=_web_client(settings, token=None),  # bolt gives each request a client with authorize's token
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        authorize=authorize,
        # False: Slack gets its 200 at once and the work runs after it (Slack retries after 3 s).
        # True (tests, serverless): the work runs before the response.
        process_before_response=settings.slack_process_before_response,
    )
    channel = SlackChannel(engine, directory, ledger, _web_client(settings, token=bot_token))
    bolt.event("message")(channel.on_message)
    bolt.event("app_mention")(channel.on_mention)
    bolt.action(CHOICE_ACTION_PATTERN)(channel.on_choice)
    bolt.action(LINK_ACTION)(channel.on_link)
    engine.push.register(CHANNEL, channel.deliver)
    app.extensions["resetdesk.slack"] = bolt
    if settings.support_slack_channel and ticket_alerts is not None:
        alert_client = _web_client(settings, token=bot_token)
        console = f"{settings.public_url}/agent"
        ticket_alerts.append(SlackTicketAlert(alert_client, settings.support_slack_channel, console_url=console))
        bolt.action(TAKE_ACTION)(lambda ack: ack())  # a URL button still sends its click; nothing else to do

    if signing_secret is not None:  # without it, requests could not be verified: no HTTP endpoint at all
        handler = SlackRequestHandler(bolt)

        def slack_events() -> Response:
            stamp = request.headers.get("X-Slack-Request-Timestamp", "0")
            if not (stamp.isascii() and stamp.isdigit()):  # slack_sdk's verifier would raise (a 500) on int()
                return Response(json.dumps({"error": "invalid request"}), 401, mimetype="application/json")
            request.max_content_length = MAX_EVENT_BYTES
            return handler.handle(request)

        app.add_url_rule(EVENTS_PATH, "slack_events", slack_events, methods=["POST"])

    if settings.slack_app_token is not None:
        app_token = settings.slack_app_token.get_secret_value()

        def start_socket_mode() -> None:
            socket = socket_mode_handler(bolt, app_token)
            socket.connect()  # returns once connected; events are handled on the client's threads
            app.extensions["resetdesk.slack.socket"] = socket
            log.info("Slack Socket Mode connected")

        background: list[Callable[[], None]] = app.extensions.setdefault("resetdesk.background", [])
        background.append(start_socket_mode)
    return bolt
