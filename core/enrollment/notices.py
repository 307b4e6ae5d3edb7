"""The "your recovery methods changed" notice: to every contact on file BEFORE a change, through the delivery
queue in the change's transaction (so a change and its notices commit together). This is how a takeover
attempt is noticed: whoever added their own phone cannot stop the message to the old ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.delivery.queue import Outgoing
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.store import confirmed_contacts
from core.i18n import N_, Translated, gettext

__all__ = ["Notices", "mask"]

_LABEL = {"email": "email address", "sms": "mobile number", "questions": "security questions"}

# What changed, whole sentences (a translation can't reorder a sentence glued from parts). Keyed by the
# change and the method kind; notices are worded in the current language (the enrollment page's request).
CHANGES = Translated(
    {
        "questions_changed": N_("Your security questions were changed"),
        "questions_set": N_("Security questions were set up"),
        "added:email": N_("An email address was added to your account for password recovery"),
        "added:sms": N_("A mobile number was added to your account for password recovery"),
        "removed:email": N_("Your email address was removed"),
        "removed:sms": N_("Your mobile number was removed"),
        "removed:questions": N_("Your security questions were removed"),
    }
)


def mask(kind: str, value: str) -> str:
    """Enough to recognise a contact, not enough to learn it: "j***@example.com", "***0101"."""
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return "***" + value[-4:]


class Notices:
    def __init__(self, deps: EnrollmentDeps) -> None:
        self._deps = deps

    def on_file(self, account_id: int) -> list[tuple[str, str]]:
        """[(kind, value)] of every contact on file now: the directory's and the confirmed self-enrolled ones."""
        account = self._deps.directory.get(account_id)
        found: list[tuple[str, str]] = []
        if account is not None:
            found += [(k, v) for k, v in (("email", account.email), ("sms", account.phone)) if v]
        for kind, (value, _) in sorted(confirmed_contacts(self._deps.database, account_id).items()):
            if (kind, value) not in found:
                found.append((kind, value))
        return found

    def queue(self, session: Session, targets: list[tuple[str, str]], change: str, now: datetime, new: str = "") -> int:
        """Queue the notice of `change` (a key of CHANGES, e.g. "added:sms") to each target; `new` is the masked
        new value, if any. Returns how many were queued (for the audit row)."""
        when = now.strftime("%Y-%m-%d %H:%M UTC")
        what = f"{CHANGES[change]}: {new}" if new else CHANGES[change]
        advice = gettext(
            "If this was you, nothing more to do. If it wasn't you, someone may know your password: contact IT "
            "support right away, or reset your password with ResetDesk ({url})."
        ).format(url=f"{self._deps.limits.public_url}/chat")
        for kind, value in targets:
            if kind == "email":
                body = gettext("Your ResetDesk recovery methods changed on {when}.\n\n{what}.\n\n{advice}").format(
                    when=when, what=what, advice=advice
                )
                message = Outgoing("email", value, body, gettext("Your recovery methods changed"))
            else:
                sms = gettext("ResetDesk: {what} on {when}. Not you? Contact IT support now.")
                message = Outgoing("sms", value, sms.format(what=what, when=when))
            self._deps.deliveries.enqueue(session, message)
        return len(targets)


def label(kind: str) -> str:
    return _LABEL[kind]
