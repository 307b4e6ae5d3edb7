"""Adding or changing a mobile number or email: it counts only once the code sent to it is typed.

The code is made like recovery's (`secrets`, RESETDESK_CODE_DIGITS digits) and kept as a keyed hash in
`contact_confirmations`, one open per account and kind, with its tries counted by a conditional UPDATE. The
message goes through the delivery queue. Sends are spaced by RESETDESK_CODE_SEND_INTERVAL_SECONDS per kind and
capped at RESETDESK_CODE_SENDS_PER_HOUR per account. A resend keeps the tries already spent.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, delete, select, update
from sqlalchemy.orm import Session

from core.delivery.notify import code_email, code_sms
from core.delivery.queue import Outgoing
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.methods import ACTOR, DIRECTORY_OWNED, MethodsStep
from core.enrollment.notices import mask
from core.enrollment.types import ConfirmContact, ConfirmStatus, ContactKind, StartContact, StartStatus
from core.i18n import N_, gettext
from core.secrets.codes import clean_code
from core.storage.db import rows_changed
from core.storage.models import ContactConfirmation, EnrolledContact
from core.types import Method, Requester

__all__ = ["Contacts", "normalise_contact"]

_ALREADY = {
    ContactKind.SMS: N_("That is already your mobile number."),
    ContactKind.EMAIL: N_("That is already your email address."),
}
_CANT_SEND = {
    ContactKind.SMS: N_("We can't send to a mobile number right now."),
    ContactKind.EMAIL: N_("We can't send to an email address right now."),
}

_PURPOSE = "enroll-contact-code"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")  # E.164


def normalise_contact(kind: ContactKind, value: str) -> tuple[str | None, str]:
    """(normalised value, "") or (None, the problem in plain words)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if kind is ContactKind.EMAIL:
        local, _, domain = text.partition("@")
        text = f"{local}@{domain.lower()}"
        if len(text) > 254 or not _EMAIL.match(text):
            return None, gettext("That is not an email address; type it like name@example.com.")
        return text, ""
    text = _PHONE_PUNCTUATION.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _PHONE.match(text):
        return None, gettext("Type the mobile number with its country code, like +44 7700 900123.")
    return text, ""


class Contacts:
    def __init__(self, deps: EnrollmentDeps, methods: MethodsStep) -> None:
        self._deps = deps
        self._methods = methods

    def start(self, account_id: int, kind: ContactKind, value: str, requester: Requester) -> StartContact:
        deps = self._deps
        normalised, problem = normalise_contact(kind, value)
        if normalised is None:
            return StartContact(StartStatus.INVALID, problem)
        current = next((c for c in self._methods.on_file(account_id).contacts if c.kind is kind), None)
        if current is not None and current.read_only:
            return StartContact(StartStatus.INVALID, gettext(DIRECTORY_OWNED[kind.value]))
        if current is not None and current.display == normalised:
            return StartContact(StartStatus.INVALID, gettext(_ALREADY[kind]))
        if not deps.breakers[Method(kind.value)].available:
            return StartContact(StartStatus.UNAVAILABLE, gettext(_CANT_SEND[kind]))
        now = deps.clock.now()
        with deps.database.transaction() as session:
            pending = session.scalars(self._pending(account_id, kind)).first()
        if pending is not None:
            next_allowed = pending.created_at + timedelta(seconds=deps.limits.code_send_interval_seconds)
            if next_allowed > now:
                return StartContact(StartStatus.TOO_SOON, retry_after=_seconds(next_allowed - now))
        wait = deps.limiter.hit(f"enroll-code:{account_id}", limit=deps.limits.code_sends_per_hour, window_seconds=3600)
        if wait is not None:
            return StartContact(StartStatus.TOO_SOON, retry_after=wait)
        code = "".join(secrets.choice("0123456789") for _ in range(deps.limits.code_digits))
        expires = now + timedelta(seconds=deps.limits.code_ttl_seconds)
        with deps.database.transaction() as session:
            # A resend (same value, code still open) keeps the tries spent: resending never buys more guesses.
            old = session.scalars(self._pending(account_id, kind)).first()
            spent = old.attempts if old is not None and old.value == normalised and old.expires_at > now else 0
            session.execute(delete(ContactConfirmation).where(*self._mine(account_id, kind)))
            session.add(
                ContactConfirmation(
                    account_id=account_id, kind=kind.value, value=normalised, attempts=spent, created_at=now,
                    expires_at=expires, code_hash=deps.keyed.digest(code, purpose=_PURPOSE),
                )
            )  # fmt: skip
            deps.deliveries.enqueue(session, self._message(kind, normalised, code), expires_at=expires)
            deps.audit.record(
                session, "enroll.contact_code_sent", actor=requester.subject, account_id=account_id, method=kind.value
            )
        return StartContact(StartStatus.OK)

    def confirm(self, account_id: int, kind: ContactKind, typed: str) -> ConfirmContact:
        deps = self._deps
        now = deps.clock.now()
        code = clean_code(typed)
        with deps.database.transaction() as session:
            pending = session.scalars(self._pending(account_id, kind)).first()
            if pending is None or now >= pending.expires_at:
                return ConfirmContact(ConfirmStatus.EXPIRED)
            if pending.attempts >= deps.limits.code_max_attempts:
                return ConfirmContact(ConfirmStatus.USED_UP, 0)
            right = deps.keyed.matches(pending.code_hash, code, purpose=_PURPOSE)
            value, pending_id = pending.value, pending.id
            if not right:
                spent = session.execute(
                    update(ContactConfirmation)
                    .where(ContactConfirmation.id == pending_id,
                           ContactConfirmation.attempts < deps.limits.code_max_attempts)
                    .values(attempts=ContactConfirmation.attempts + 1)
                    .returning(ContactConfirmation.attempts)
                ).scalar()  # fmt: skip
                deps.audit.record(
                    session, "enroll.contact_code_wrong", actor=ACTOR, account_id=account_id, method=kind.value
                )
                if spent is None:
                    return ConfirmContact(ConfirmStatus.USED_UP, 0)
                left = max(deps.limits.code_max_attempts - spent, 0)
                return ConfirmContact(ConfirmStatus.WRONG if left else ConfirmStatus.USED_UP, left)
        targets = self._methods.notices.on_file(account_id)  # read before the change: the OLD contacts
        with deps.database.transaction() as session:
            used = session.execute(delete(ContactConfirmation).where(ContactConfirmation.id == pending_id))
            if rows_changed(used) != 1:
                return ConfirmContact(ConfirmStatus.EXPIRED)  # another request confirmed it a moment ago
            self._store(session, account_id, kind, value, now)
            sent = self._methods.notices.queue(session, targets, f"added:{kind.value}", now, mask(kind.value, value))
            deps.audit.record(
                session, "enroll.contact_confirmed", actor=ACTOR, account_id=account_id, method=kind.value,
                notices=sent,
            )  # fmt: skip
        return ConfirmContact(ConfirmStatus.OK)

    @staticmethod
    def _store(session: Session, account_id: int, kind: ContactKind, value: str, now: datetime) -> None:
        mine = (EnrolledContact.account_id == account_id, EnrolledContact.kind == kind.value)
        row = session.scalars(select(EnrolledContact).where(*mine)).first()
        if row is None:
            row = EnrolledContact(account_id=account_id, kind=kind.value, created_at=now)
            session.add(row)
        row.value, row.confirmed_at, row.updated_at = value, now, now

    def _message(self, kind: ContactKind, to: str, code: str) -> Outgoing:
        minutes = self._deps.limits.code_ttl_seconds // 60
        if kind is ContactKind.EMAIL:
            subject, body = code_email(code, minutes, in_chat=False)
            return Outgoing("email", to, body, subject)
        return Outgoing("sms", to, code_sms(code, minutes))

    @staticmethod
    def _mine(account_id: int, kind: ContactKind) -> tuple[ColumnElement[bool], ...]:
        return (ContactConfirmation.account_id == account_id, ContactConfirmation.kind == kind.value)

    def _pending(self, account_id: int, kind: ContactKind) -> Select[ContactConfirmation]:
        return select(ContactConfirmation).where(*self._mine(account_id, kind))


def _seconds(delta: timedelta) -> int:
    return max(1, -int(-delta.total_seconds() // 1))
