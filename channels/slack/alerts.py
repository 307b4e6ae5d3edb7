"""New-ticket alerts in the support team's Slack channel, with a Take button that opens the ticket."""

from __future__ import annotations

from slack_sdk import WebClient

from channels.slack.render import escape
from core.delivery.alerts import AlertWords
from core.types import Requester, Ticket

__all__ = ["TAKE_ACTION", "SlackTicketAlert"]

TAKE_ACTION = "resetdesk_take_ticket"


class SlackTicketAlert:
    def __init__(self, client: WebClient, channel: str, *, console_url: str, language: str = "en") -> None:
        self._client = client
        self._channel = channel
        self._console_url = console_url
        self._language = language  # support's (RESETDESK_DEFAULT_LANGUAGE), whatever the person's

    def __call__(self, ticket: Ticket, requester: Requester) -> None:
        words = AlertWords(ticket, requester, self._language)
        text = words.summary
        take = {
            "type": "button",
            "action_id": TAKE_ACTION,
            "text": {"type": "plain_text", "text": words.take},
            "url": f"{self._console_url}/tickets/{ticket.reference}",
            "style": "primary",
        }
        self._client.chat_postMessage(
            channel=self._channel,
            text=escape(text),
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": escape(text), "verbatim": True}},
                {"type": "actions", "elements": [take]},
            ],
        )
