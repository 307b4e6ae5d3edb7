"""New-ticket alerts in the support team's Slack channel, with a Take button that opens the ticket."""

from __future__ import annotations

from slack_sdk import WebClient

from channels.slack.render import escape
from core.support.reasons import reason_words
from core.types import Requester, Ticket

__all__ = ["TAKE_ACTION", "SlackTicketAlert"]

TAKE_ACTION = "resetdesk_take_ticket"


class SlackTicketAlert:
    def __init__(self, client: WebClient, channel: str, *, console_url: str) -> None:
        self._client = client
        self._channel = channel
        self._console_url = console_url

    def __call__(self, ticket: Ticket, requester: Requester) -> None:
        reason = reason_words(ticket.reason)
        text = f"Ticket {ticket.reference} is waiting ({reason}, via {requester.channel})."
        take = {
            "type": "button",
            "action_id": TAKE_ACTION,
            "text": {"type": "plain_text", "text": "Take"},
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
