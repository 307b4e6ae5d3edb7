"""Slack events and button clicks -> Engine turns -> messages in the person's direct-message channel.

Recovery runs only in a direct message ("im"); a mention in a shared channel gets an invitation to DM.
Redeliveries (Slack's retries, a repeated event_id, a second click on the same message) are processed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.dedupe import EventLedger
from bot.engine import Engine
from bot.messages import Inbound, Reply
from channels.slack.client import call
from channels.slack.render import chosen_blocks, message_args, plain_text
from core.i18n import N_, translator

__all__ = ["CHANNEL", "INVITE_TEXT", "SlackEvents"]

CHANNEL = "slack"
INVITE_TEXT = N_(
    "Hi! I help with passwords and locked accounts, but only in a private conversation. "
    "Please send me a direct message (click my name, then *Message*)."
)  # in the mentioning person's Slack language


class SlackEvents:
    """Bolt listeners (arguments are injected by name) and the push delivery for the "slack" channel."""

    def __init__(self, engine: Engine, ledger: EventLedger, client: WebClient) -> None:
        self._engine = engine
        self._ledger = ledger
        self._client = client

    # -- listeners --------------------------------------------------------------------------------------------

    def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Our own posts come back as events too (bot_id); edits, joins etc. carry a subtype.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        user_id, channel_id, text = event.get("user"), event.get("channel"), plain_text(event.get("text") or "")
        if not user_id or not channel_id or not text.strip() or not self._first_time(body):
            return
        self.converse(user_id, channel_id, text)

    def on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        channel_id = event.get("channel") or ""
        if channel_id.startswith("D") or event.get("bot_id") or not self._first_time(body):
            return
        # Never run recovery where others can read along: answer in a thread and point to a DM.
        thread = event.get("thread_ts") or event.get("ts")
        user_id = event.get("user")
        invite = self.words(self._profile(user_id)[1] if user_id else None)(INVITE_TEXT)
        call("chat.postMessage", self._client.chat_postMessage, channel=channel_id, thread_ts=thread, text=invite)

    def on_choice(self, ack: Callable[[], Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user_id = (body.get("user") or {}).get("id")
        container = body.get("container") or {}
        channel_id, message_ts = container.get("channel_id") or "", container.get("message_ts")
        # One click per message: a double click or a second button of the same message does nothing.
        if not user_id or not channel_id.startswith("D") or not message_ts:
            return
        if not self._ledger.first_time(CHANNEL, f"click:{channel_id}:{message_ts}"):
            return
        replies = self.converse(user_id, channel_id, str(action.get("value") or ""))
        message = body.get("message") or {}
        if message.get("blocks"):
            label = str((action.get("text") or {}).get("text") or action.get("value") or "")
            lang = replies[0].lang if replies else self._engine.language({})  # the language just answered in
            blocks = chosen_blocks(message["blocks"], label, lang)
            text = message.get("text", "")
            call("chat.update", self._client.chat_update, channel=channel_id, ts=message_ts, text=text, blocks=blocks)

    @staticmethod
    def on_link(ack: Callable[[], Any]) -> None:
        ack()  # a URL button still notifies the app; the browser opens the link

    # -- push: replies that arrive later (reset page finished, a live agent) -------------------------------------

    def deliver(self, user_id: str, replies: list[Reply]) -> None:
        opened = call("conversations.open", self._client.conversations_open, users=user_id)
        channel_id = ((opened or {}).get("channel") or {}).get("id")
        if channel_id:
            self._post(channel_id, replies)

    # -- helpers ----------------------------------------------------------------------------------------------

    def _first_time(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        # Slack retries (X-Slack-Retry-Num) keep the event_id; the ledger lets one delivery through, on any worker.
        return bool(event_id) and self._ledger.first_time(CHANNEL, f"event:{event_id}")

    def language(self, hint: str | None) -> str:
        """The configured language a hint (a Slack locale, a button's language) names, else the default."""
        return self._engine.language({}, hint)

    def words(self, hint: str | None) -> Callable[[str], str]:
        """gettext in `language(hint)`: for what is said outside a turn."""
        return translator(self.language(hint)).gettext

    def converse(self, user_id: str, channel_id: str, text: str) -> list[Reply]:
        email, locale = self._profile(user_id)
        meta = {"workspace_email": email} if email else {}
        # The person's Slack language ("es-ES") is the engine's hint until they pick one in the chat.
        turn = self._engine.turn(Inbound(CHANNEL, user_id, text, locale=locale, meta=meta))
        # The conversation state is saved by now: if Slack is unreachable, the next message continues it.
        self._post(channel_id, turn.replies)
        return turn.replies

    def _profile(self, user_id: str) -> tuple[str | None, str | None]:
        """The person's workspace email and locale. The email is a hint the engine may turn into a proposal
        ("Is this about your account X?"), never verification; the locale only chooses the language. Looked up
        each time, so any worker can answer any message."""
        info = call("users.info", self._client.users_info, user=user_id, include_locale=True)
        user = (info or {}).get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None, None
        email = (user.get("profile") or {}).get("email")
        locale = user.get("locale")
        return (
            email if isinstance(email, str) and email else None,
            locale if isinstance(locale, str) and locale else None,
        )

    def _post(self, channel_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            if (
                call("chat.postMessage", self._client.chat_postMessage, channel=channel_id, **message_args(reply))
                is None
            ):
                return  # Slack is failing even after retries; don't hammer it with the rest of this turn
