"""Messages we send, and the after-change notice to every contact on file."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import DeliveryError, EmailMessage, EmailSender, SmsSender
from core.directory.port import Account
from core.i18n import N_, Translated, gettext, ngettext, use_language

__all__ = ["Notifier", "code_email", "code_sms"]

log = logging.getLogger(__name__)


# Messages are worded in the current language (core.i18n.use_language): the chat turn's, or the recovery's
# for what is sent outside a turn (the notice after the reset page), so they read as the person's chat does.


def code_email(code: str, minutes: int, *, in_chat: bool = True) -> tuple[str, str]:
    """`in_chat`: the code was asked for in a chat (recovery), else on a page (enrollment)."""
    subject = gettext("Your ResetDesk verification code")
    if in_chat:
        body = ngettext(
            "Your ResetDesk verification code is {code}\n\n"
            "It works once and expires in {minutes} minute. Type it in the chat where you asked for it.\n"
            "If you did not ask for a code, ignore this message; nothing has changed.",
            "Your ResetDesk verification code is {code}\n\n"
            "It works once and expires in {minutes} minutes. Type it in the chat where you asked for it.\n"
            "If you did not ask for a code, ignore this message; nothing has changed.",
            minutes,
        )
    else:
        body = ngettext(
            "Your ResetDesk verification code is {code}\n\n"
            "It works once and expires in {minutes} minute. Type it where you asked for it.\n"
            "If you did not ask for a code, ignore this message; nothing has changed.",
            "Your ResetDesk verification code is {code}\n\n"
            "It works once and expires in {minutes} minutes. Type it where you asked for it.\n"
            "If you did not ask for a code, ignore this message; nothing has changed.",
            minutes,
        )
    return subject, body.format(code=code, minutes=minutes)


def code_sms(code: str, minutes: int) -> str:
    return gettext("ResetDesk code: {code}. Expires in {minutes} min. If you did not ask for it, ignore this.").format(
        code=code, minutes=minutes
    )


_CHANGE_TEXT = Translated(
    {
        "password_reset": N_("The password of your employee portal account was just changed through ResetDesk."),
        "unlocked": N_("Your employee portal account was just unlocked through ResetDesk."),
    }
)


class Notifier:
    """Sends the "your account changed" notice by every contact on file; never fails the change itself."""

    def __init__(
        self,
        *,
        email: EmailSender,
        sms: SmsSender,
        email_breaker: CircuitBreaker,
        sms_breaker: CircuitBreaker,
        default_language: str = "en",
    ) -> None:
        self._default_language = default_language  # for a recovery that kept no language (before migration 0008)
        self._email = email
        self._sms = sms
        self._email_breaker = email_breaker
        self._sms_breaker = sms_breaker

    def account_changed(self, account: Account, change: str, lang: str | None = None) -> dict[str, str]:
        """Notify in `lang` (the recovery's); returns {"email": "sent"|"failed", "sms": ...} for the audit trail."""
        with use_language(lang or self._default_language):
            return self._notify(account, change)

    def _notify(self, account: Account, change: str) -> dict[str, str]:
        text = _CHANGE_TEXT[change]
        warning = gettext("If this was not you, contact IT support immediately.")
        outcome: dict[str, str] = {}
        if account.email:
            message = EmailMessage(account.email, gettext("Your account was changed"), f"{text}\n\n{warning}")
            outcome["email"] = self._attempt("email", lambda: self._email_breaker.call(self._email.send, message))
        if account.phone:
            phone = account.phone
            body = gettext("ResetDesk: {text} {warning}").format(text=text, warning=warning)
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
