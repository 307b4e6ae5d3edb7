"""New-ticket alerts: their words (shared with the Slack alert in channels/slack), and the alert by email for
support desks without Slack. Alerts speak support's language (RESETDESK_DEFAULT_LANGUAGE), not the person's."""

from __future__ import annotations

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import EmailMessage, EmailSender
from core.i18n import gettext, use_language
from core.support.reasons import reason_words
from core.types import Requester, Ticket

__all__ = ["AlertWords", "EmailTicketAlert"]


class AlertWords:
    """An alert's text, worded once in support's language."""

    def __init__(self, ticket: Ticket, requester: Requester, language: str) -> None:
        with use_language(language):  # the hand-off may happen inside a Spanish chat turn
            reason = gettext(reason_words(ticket.reason))
            self.summary = gettext("Ticket {reference} is waiting ({reason}, via {channel}).").format(
                reference=ticket.reference, reason=reason, channel=requester.channel
            )
            self.subject = gettext("ResetDesk: ticket {reference}").format(reference=ticket.reference)
            self.take_prompt = gettext("Take it in the console:")
            self.take = gettext("Take")


class EmailTicketAlert:
    def __init__(
        self, email: EmailSender, breaker: CircuitBreaker, *, to: str, console_url: str, language: str = "en"
    ) -> None:
        self._email = email
        self._breaker = breaker
        self._to = to
        self._console_url = console_url
        self._language = language

    def __call__(self, ticket: Ticket, requester: Requester) -> None:
        words = AlertWords(ticket, requester, self._language)
        body = f"{words.summary}\n{words.take_prompt} {self._console_url}/tickets/{ticket.reference}\n"
        self._breaker.call(self._email.send, EmailMessage(self._to, words.subject, body))
