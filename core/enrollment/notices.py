"""The "your recovery methods changed" notice: to every contact on file BEFORE a change, through the delivery
queue in the change's transaction (so a change and its notices commit together). This is how a takeover
attempt is noticed: whoever added their own phone cannot stop the message to the old ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.delivery.queue import Outgoing
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.store import confirmed_contacts

__all__ = ["Notices", "mask"]

_LABEL = {"email": "email address", "sms": "mobile number", "questions": "security questions"}


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
        """Queue the notice of `change` (e.g. "A mobile number was added") to each target; `new` is the masked
        new value, if any. Returns how many were queued (for the audit row)."""
        when = now.strftime("%Y-%m-%d %H:%M UTC")
        what = f"{change}: {new}" if new else change
        advice = (
            "If this was you, nothing more to do. If it wasn't you, someone may know your password: contact IT "
            f"support right away, or reset your password with ResetDesk ({self._deps.limits.public_url}/chat)."
        )
        for kind, value in targets:
            if kind == "email":
                body = f"Your ResetDesk recovery methods changed on {when}.\n\n{what}.\n\n{advice}"
                message = Outgoing("email", value, body, "Your recovery methods changed")
            else:
                message = Outgoing("sms", value, f"ResetDesk: {what} on {when}. Not you? Contact IT support now.")
            self._deps.deliveries.enqueue(session, message)
        return len(targets)


def label(kind: str) -> str:
    return _LABEL[kind]
