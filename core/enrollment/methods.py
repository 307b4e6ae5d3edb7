"""What a person has on file (`methods`), removing one (never the last), and reconfirming them.

A method is usable when recovery would offer it: a directory contact, a CONFIRMED self-enrolled contact of a
kind the directory has none of (see core/enrollment/store.py for that precedence), and the questions once at
least RESETDESK_QUESTIONS_MIN_ENROLLED are answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from core.enrollment.deps import EnrollmentDeps
from core.enrollment.notices import Notices
from core.enrollment.store import confirmed_contacts, status_row
from core.enrollment.types import (
    ContactEntry,
    ContactKind,
    ContactSource,
    MethodKind,
    Methods,
    QuestionsEntry,
)
from core.i18n import N_, gettext
from core.storage.models import ChallengeAnswer, EnrolledContact, EnrollmentStatus

__all__ = ["ACTOR", "DIRECTORY_OWNED", "MethodsStep", "OnFile"]

# One whole sentence per kind (no pasted-in labels), so each language can word it its own way.
_NONE: dict[str, str] = {
    "sms": N_("You have no mobile number to remove."),
    "email": N_("You have no email address to remove."),
}
DIRECTORY_OWNED: dict[str, str] = {
    "sms": N_("Your mobile number comes from the company directory; ask IT support to change it there."),
    "email": N_("Your email address comes from the company directory; ask IT support to change it there."),
}
_ONLY: dict[str, str] = {
    "sms": N_("Your mobile number is your only way to verify you. Add another before removing it."),
    "email": N_("Your email address is your only way to verify you. Add another before removing it."),
    "questions": N_("Your security questions are your only way to verify you. Add another before removing them."),
}
ACTOR = "self"  # audit actor of a change made by the signed-in person (the row's account_id says who)


@dataclass(frozen=True, slots=True)
class OnFile:
    """One read of everything that decides an account's methods."""

    contacts: tuple[ContactEntry, ...]
    questions: QuestionsEntry | None
    questions_usable: bool
    reconfirmed_at: datetime | None

    @property
    def count(self) -> int:
        return len(self.contacts) + (1 if self.questions_usable else 0)

    def kinds(self) -> set[str]:
        return {c.kind.value for c in self.contacts} | ({"questions"} if self.questions_usable else set())


class MethodsStep:
    def __init__(self, deps: EnrollmentDeps) -> None:
        self._deps = deps
        self.notices = Notices(deps)

    def on_file(self, account_id: int) -> OnFile:
        deps = self._deps
        account = deps.directory.get(account_id)
        mine = confirmed_contacts(deps.database, account_id)
        contacts: list[ContactEntry] = []
        for kind, directory_value in ((ContactKind.SMS, account.phone if account else None),
                                      (ContactKind.EMAIL, account.email if account else None)):  # fmt: skip
            if directory_value:
                contacts.append(ContactEntry(kind, directory_value, True, None, ContactSource.DIRECTORY, True))
            elif kind.value in mine:
                value, at = mine[kind.value]
                contacts.append(ContactEntry(kind, value, True, at, ContactSource.SELF, False))
        with deps.database.engine.connect() as connection:
            count, enrolled_at = connection.execute(
                select(func.count(), func.min(ChallengeAnswer.enrolled_at)).where(
                    ChallengeAnswer.account_id == account_id
                )
            ).one()
            reconfirmed_at = connection.execute(
                select(EnrollmentStatus.reconfirmed_at).where(EnrollmentStatus.account_id == account_id)
            ).scalar()
        questions = QuestionsEntry(int(count), enrolled_at) if count else None
        usable = int(count) >= deps.limits.questions_required
        return OnFile(tuple(contacts), questions, usable, reconfirmed_at)

    def methods(self, account_id: int) -> Methods:
        state = self.on_file(account_id)
        return Methods(state.contacts, state.questions, self._needs_reconfirm(state), state.count)

    def needs_reconfirm(self, account_id: int) -> bool:
        return self._needs_reconfirm(self.on_file(account_id))

    def _needs_reconfirm(self, state: OnFile) -> bool:
        """True when any usable method was last confirmed (by itself, or by a reconfirmation of everything)
        longer than RESETDESK_REENROLL_DAYS ago, or never by the person (answers an administrator imported)."""
        cutoff = self._deps.clock.now() - timedelta(days=self._deps.limits.reenroll_days)
        # Directory contacts are the company's to keep current, so only the person's own methods age.
        dates = [c.confirmed_at for c in state.contacts if c.source is ContactSource.SELF]
        if state.questions_usable and state.questions is not None:
            dates.append(state.questions.enrolled_at)
        return any(_latest(at, state.reconfirmed_at) < cutoff for at in dates)

    def remove(self, account_id: int, kind: MethodKind) -> tuple[str, ...]:
        deps = self._deps
        state = self.on_file(account_id)
        entry = next((c for c in state.contacts if c.kind.value == kind), None)
        if kind == "questions":
            if state.questions is None:
                return (gettext("You have no security questions to remove."),)
        elif entry is None:
            return (gettext(_NONE[kind]),)
        elif entry.read_only:
            return (gettext(DIRECTORY_OWNED[kind]),)
        if kind in state.kinds() and state.count <= 1:
            return (gettext(_ONLY[kind]),)
        targets = self.notices.on_file(account_id)
        now = deps.clock.now()
        with deps.database.transaction() as session:
            if kind == "questions":
                session.execute(delete(ChallengeAnswer).where(ChallengeAnswer.account_id == account_id))
            else:
                session.execute(
                    delete(EnrolledContact).where(
                        EnrolledContact.account_id == account_id, EnrolledContact.kind == kind
                    )
                )
            sent = self.notices.queue(session, targets, f"removed:{kind}", now)
            deps.audit.record(
                session, "enroll.method_removed", actor=ACTOR, account_id=account_id,
                method=kind, notices=sent,
            )  # fmt: skip
        return ()

    def reconfirm(self, account_id: int) -> None:
        now = self._deps.clock.now()
        with self._deps.database.transaction() as session:
            status_row(session, account_id).reconfirmed_at = now
            self._deps.audit.record(session, "enroll.reconfirmed", actor=ACTOR, account_id=account_id)


def _latest(first: datetime | None, second: datetime | None) -> datetime:
    return max((at for at in (first, second) if at is not None), default=datetime.min)
