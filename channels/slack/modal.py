"""Codes and answers entered in a Slack modal instead of the DM.

Slack can't delete a person's message, so a code typed in the DM stays in its history. A code or question prompt
carries a button (render.py); pressing it opens a modal (views.open with the click's trigger_id) holding one
plain_text_input. Its view_submission goes to the engine like a DM message from that person, and the bot's
answer is posted in the DM. The value is never posted, logged or put in private_metadata (which holds only the
DM's channel id). Typing in the DM keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.dedupe import EventLedger
from channels.slack.client import call
from channels.slack.events import CHANNEL, SlackEvents
from channels.slack.render import PRIVATE_ACTION_PATTERN
from core.i18n import N_, translator

__all__ = ["CALLBACK_ID", "CALLBACK_PATTERN", "INPUT_ACTION", "INPUT_BLOCK", "PrivateEntry", "private_view"]

CALLBACK_ID = "resetdesk_private_entry_{kind}_{lang}"  # the language of its words, for the blank-input error
CALLBACK_PATTERN = re.compile(r"^resetdesk_private_entry_(code|secret)(?:_([A-Za-z-]{2,12}))?$")
INPUT_BLOCK = "resetdesk_private_input"
INPUT_ACTION = "value"
MAX_INPUT_CHARS = 200  # a code or an answer; the engine cuts messages at 2000 anyway
_PROMPT_MAX = 3000

_KINDS = {
    # kind: (input label, placeholder, what to say when it is left blank): msgids, in the prompt's language
    "code": (N_("Code"), N_("The code we sent you"), N_("Please type the code.")),
    "secret": (N_("Your answer"), N_("Only you and ResetDesk see this"), N_("Please type your answer.")),
}
_SEND, _CANCEL = N_("Send"), N_("Cancel")
_DM_CHANNEL = re.compile(r"^D[A-Z0-9]{2,}$")


def private_view(kind: str, channel_id: str, prompt: str, lang: str = "en") -> dict[str, Any]:
    """The modal: the prompt as the bot wrote it (already escaped mrkdwn), and one input, worded in `lang` (the
    prompt's language, one of the configured ones)."""
    words = translator(lang).gettext
    label, placeholder = (words(message) for message in _KINDS[kind][:2])
    blocks: list[dict[str, Any]] = []
    if prompt:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": prompt[:_PROMPT_MAX], "verbatim": True}})
    blocks.append(
        {
            "type": "input",
            "block_id": INPUT_BLOCK,
            "label": {"type": "plain_text", "text": label},
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT_ACTION,
                "max_length": MAX_INPUT_CHARS,
                "placeholder": {"type": "plain_text", "text": placeholder},
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID.format(kind=kind, lang=lang),
        "title": {"type": "plain_text", "text": "ResetDesk"},
        "submit": {"type": "plain_text", "text": words(_SEND)},
        "close": {"type": "plain_text", "text": words(_CANCEL)},
        "clear_on_close": True,
        "private_metadata": channel_id,  # where to answer; never the value
        "blocks": blocks,
    }


class PrivateEntry:
    """Bolt listeners for the private-entry button and the modal's submission."""

    def __init__(self, events: SlackEvents, ledger: EventLedger, client: WebClient) -> None:
        self._events = events
        self._ledger = ledger
        self._client = client

    def register(self, bolt: App) -> None:
        bolt.action(PRIVATE_ACTION_PATTERN)(self.on_open)
        bolt.view(CALLBACK_PATTERN)(self.on_submit)

    def on_open(self, ack: Callable[[], Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        match = PRIVATE_ACTION_PATTERN.match(str(action.get("action_id") or ""))
        channel_id = str((body.get("container") or {}).get("channel_id") or "")
        trigger_id = body.get("trigger_id")
        if match is None or not trigger_id or not _DM_CHANNEL.match(channel_id):
            return
        prompt = str((body.get("message") or {}).get("text") or "")
        lang = self._events.language(str(action.get("value") or ""))  # the prompt's language (render.py)
        view = private_view(match.group(1), channel_id, prompt, lang)
        # A trigger_id is valid for 3 seconds: open at once, before anything slower.
        call("views.open", self._client.views_open, trigger_id=trigger_id, view=view)

    def on_submit(self, ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = (body.get("user") or {}).get("id")
        field = ((view.get("state") or {}).get("values") or {}).get(INPUT_BLOCK) or {}
        value = str((field.get(INPUT_ACTION) or {}).get("value") or "")
        if not value.strip():
            match = CALLBACK_PATTERN.match(str(view.get("callback_id") or ""))
            kind, lang = (match.group(1), match.group(2)) if match else ("code", None)
            ack(response_action="errors", errors={INPUT_BLOCK: self._events.words(lang)(_KINDS[kind][2])})
            return
        ack()  # closes the modal; the answer comes in the DM
        view_id = str(view.get("id") or "")
        if not user_id or not view_id or not self._ledger.first_time(CHANNEL, f"view:{view_id}"):
            return
        channel_id = str(view.get("private_metadata") or "")  # ours: Slack hands it back in a signed request
        if _DM_CHANNEL.match(channel_id):
            self._events.converse(user_id, channel_id, value)
