"""New-ticket alerts by email, for support desks without Slack (the Slack alert lives in channels/slack)."""

from __future__ import annotations

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import EmailMessage, EmailSender
from core.support.reasons import reason_words
from core.types import Requester, Ticket

__all__ = ["EmailTicketAlert"]


class EmailTicketAlert:
    def __init__(self, email: EmailSender, breaker: CircuitBreaker, *, to: str, console_url: str) -> None:
        self._email = email
        self._breaker = breaker
        self._to = to
        self._console_url = console_url

    def __call__(self, ticket: Ticket, requester: Requester) -> None:
        reason = reason_words(ticket.reason)
        body = (
            f"Ticket {ticket.reference} is waiting ({reason}, via {requester.channel}).\n"
            f"Take it in the console: {self._console_url}/tickets/{ticket.reference}\n"
        )
        self._breaker.call(self._email.send, EmailMessage(self._to, f"ResetDesk: ticket {ticket.reference}", body))
