"""SlackChannel: the Slack channel behind the one Channel contract.

Built by app.py with the tokens it needs. It builds its bolt App and listeners (events.py); register() adds
the signed HTTP endpoint, background() the Socket Mode start, ticket_alert() the support-channel alerts."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult

from bot.dedupe import EventLedger
from bot.engine import Engine
from bot.messages import Reply
from channels.contract import BackgroundStart
from channels.slack.alerts import TAKE_ACTION, SlackTicketAlert
from channels.slack.client import web_client
from channels.slack.events import CHANNEL, SlackEvents
from channels.slack.modal import PrivateEntry
from channels.slack.render import CHOICE_ACTION_PATTERN, LINK_ACTION

__all__ = ["BOLT_LOGGER", "EVENTS_PATH", "SlackChannel", "SlackOptions", "socket_mode_handler"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_EVENT_BYTES = 256 * 1024  # interactivity payloads carry the whole message; the app default is 8 KiB
BOLT_LOGGER = "resetdesk.slack.bolt"  # quieted by configure_logging: bolt logs request bodies


@dataclass(frozen=True, slots=True)
class SlackOptions:
    bot_token: str
    signing_secret: str | None = None  # HTTP mode (POST /slack/events); without it, no endpoint at all
    app_token: str | None = None  # Socket Mode
    api_url: str | None = None  # the Web API's base URL (a fake in tests)
    # False: Slack gets its 200 at once and the work runs after it (Slack retries after 3 s).
    # True (tests, serverless): the work runs before the response.
    process_before_response: bool = False


def socket_mode_handler(bolt: App, app_token: str) -> Any:
    """Bolt's built-in Socket Mode client for this app (constructing it starts its worker threads)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(bolt, app_token)


class SlackChannel:
    name = CHANNEL

    def __init__(self, engine: Engine, ledger: EventLedger, options: SlackOptions) -> None:
        self._options = options
        self.socket: Any = None  # the Socket Mode client, once background work started it
        client = web_client(options.api_url, token=options.bot_token)
        self.events = SlackEvents(engine, ledger, client)
        self.bolt = self._bolt()
        self.bolt.event("message")(self.events.on_message)
        self.bolt.event("app_mention")(self.events.on_mention)
        self.bolt.action(CHOICE_ACTION_PATTERN)(self.events.on_choice)
        self.bolt.action(LINK_ACTION)(self.events.on_link)
        PrivateEntry(self.events, ledger, client).register(self.bolt)  # codes and answers in a modal

    def _bolt(self) -> App:
        options = self._options

        def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            # One workspace, one bot token: no auth.test round trip on start-up or per request.
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=options.bot_token)

        return App(
            name=BOLT_LOGGER,  # also the name of its per-request logger
            logger=logging.getLogger(BOLT_LOGGER),
            client=web_client(options.api_url, token=None),  # each request gets a client with authorize's token
            signing_secret=options.signing_secret or "",
            request_verification_enabled=options.signing_secret is not None,
            authorize=authorize,
            process_before_response=options.process_before_response,
        )

    def register(self, app: Flask) -> None:
        """The Events API endpoint, only with a signing secret: without it nothing could be verified."""
        if self._options.signing_secret is None:
            return
        handler = SlackRequestHandler(self.bolt)

        def slack_events() -> Response:
            stamp = request.headers.get("X-Slack-Request-Timestamp", "0")
            if not (stamp.isascii() and stamp.isdigit()):  # slack_sdk's verifier would raise (a 500) on int()
                return Response(json.dumps({"error": "invalid request"}), 401, mimetype="application/json")
            request.max_content_length = MAX_EVENT_BYTES
            return handler.handle(request)

        app.add_url_rule(EVENTS_PATH, "slack_events", slack_events, methods=["POST"])

    def deliver(self, user_id: str, replies: list[Reply]) -> None:
        self.events.deliver(user_id, replies)

    def background(self) -> list[BackgroundStart]:
        return [self._start_socket_mode] if self._options.app_token is not None else []

    def _start_socket_mode(self) -> None:
        assert self._options.app_token is not None
        self.socket = socket_mode_handler(self.bolt, self._options.app_token)
        self.socket.connect()  # returns once connected; events are handled on the client's threads
        log.info("Slack Socket Mode connected")

    def ticket_alert(self, support_channel: str, *, console_url: str, language: str = "en") -> SlackTicketAlert:
        """New-ticket alerts in the support team's channel (app.py decides whether they go here or by email)."""
        self.bolt.action(TAKE_ACTION)(lambda ack: ack())  # a URL button still sends its click; nothing else to do
        client = web_client(self._options.api_url, token=self._options.bot_token)
        return SlackTicketAlert(client, support_channel, console_url=console_url, language=language)
