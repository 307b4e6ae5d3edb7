"""Messages we send, and the after-change notice to every contact on file."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import DeliveryError, EmailMessage, EmailSender, SmsSender
from core.directory.port import Account

__all__ = ["Notifier", "code_email", "code_sms"]

log = logging.getLogger(__name__)


def code_email(code: str, minutes: int) -> tuple[str, str]:
    subject = "Your ResetDesk verification code"
    body = (
        f"Your ResetDesk verification code is {code}\n\n"
        f"It works once and expires in {minutes} minutes. Type it in the chat where you asked for it.\n"
        "If you did not ask for a code, ignore this message; nothing has changed."
    )
    return subject, body


def code_sms(code: str, minutes: int) -> str:
    return f"ResetDesk code: {code}. Expires in {minutes} min. If you did not ask for it, ignore this."


_CHANGE_TEXT = {
    "password_reset": "The password of your employee portal account was just changed through ResetDesk.",
    "unlocked": "Your employee portal account was just unlocked through ResetDesk.",
}


class Notifier:
    """Sends the "your account changed" notice by every contact on file; never fails the change itself."""

    def __init__(
        self,
        *,
        email: EmailSender,
        sms: SmsSender,
        email_breaker: CircuitBreaker,
        sms_breaker: CircuitBreaker,
    ) -> None:
        self._email = email
        self._sms = sms
        self._email_breaker = email_breaker
        self._sms_breaker = sms_breaker

    def account_changed(self, account: Account, change: str) -> dict[str, str]:
        """Notify; returns {"email": "sent"|"failed", "sms": ...} for the audit trail."""
        text = _CHANGE_TEXT[change]
        warning = "If this was not you, contact IT support immediately."
        outcome: dict[str, str] = {}
        if account.email:
            message = EmailMessage(account.email, "Your account was changed", f"{text}\n\n{warning}")
            outcome["email"] = self._attempt("email", lambda: self._email_breaker.call(self._email.send, message))
        if account.phone:
            phone = account.phone
            body = f"ResetDesk: {text} {warning}"
            outcome["sms"] = self._attempt("sms", lambda: self._sms_breaker.call(self._sms.send, phone, body))
        return outcome

    @staticmethod
    def _attempt(channel: str, send: Callable[[], None]) -> str:
        try:
            send()
        except DeliveryError as exc:
            log.warning("change notice by %s not delivered: %s", channel, exc.reason)
            return "failed"
        return "sent"
