"""EnrollmentService: the one API the /enroll page and the chat call to let people keep their own methods.

A facade over small parts sharing one `EnrollmentDeps` (core/enrollment/deps.py): `SignInStep` (sign_in.py),
`Contacts` (contacts.py), `QuestionsStep` (questions.py), `MethodsStep` (methods.py) and `CoverageStep`
(coverage.py); every change notifies the contacts on file before it (notices.py) and writes an audit row.
Callers must only pass an `account_id` they got from `sign_in` (or from a verified recovery).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.enrollment.contacts import Contacts
from core.enrollment.coverage import CoverageStep
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.methods import MethodsStep
from core.enrollment.proof import FRESH_SECONDS, proven_account
from core.enrollment.questions import QuestionsStep
from core.enrollment.sign_in import SignInStep
from core.enrollment.types import (
    ConfirmContact,
    ContactKind,
    Coverage,
    MethodKind,
    Methods,
    NudgeSummary,
    SignIn,
    StartContact,
)
from core.recovery.deps import RecoveryDeps
from core.secrets.questions import Question
from core.secrets.ratelimit import RateLimiter
from core.settings import Settings
from core.types import Requester

__all__ = ["EnrollmentService"]


class EnrollmentService:
    """Public attributes: `deps` (what the parts share) and `questions_required`."""

    def __init__(self, settings: Settings, recovery: RecoveryDeps, limiter: RateLimiter) -> None:
        self.deps = EnrollmentDeps.build(settings, recovery, limiter)
        self.questions_required = self.deps.limits.questions_required
        self._sign_in = SignInStep(self.deps)
        self._methods = MethodsStep(self.deps)
        self._contacts = Contacts(self.deps, self._methods)
        self._questions = QuestionsStep(self.deps, self._methods)
        self._coverage = CoverageStep(self.deps, self._methods)

    def sign_in(self, identifier: str, password: str, requester: Requester) -> SignIn:
        """The directory's password check (SQL argon2, LDAP/AD bind) under recovery's limits and lock; an
        unknown identifier is refused exactly like a wrong password. Raises DirectoryUnavailable."""
        return self._sign_in.sign_in(identifier, password, requester)

    def proven_account(self, handle: str, within_seconds: int = FRESH_SECONDS) -> int | None:
        """The account of a recovery that verified its person (or finished a reset) within `within_seconds`:
        the chat's and the reset page's fresh proof. None when not verified, unknown, or older than that."""
        return proven_account(self.deps, handle, within_seconds)

    def methods(self, account_id: int) -> Methods:
        return self._methods.methods(account_id)

    def start_contact(self, account_id: int, kind: ContactKind | str, value: str, requester: Requester) -> StartContact:
        """Validate and normalise a new mobile number or email and send it a code (through the delivery queue)."""
        return self._contacts.start(account_id, ContactKind(kind), value, requester)

    def confirm_contact(self, account_id: int, kind: ContactKind | str, code: str) -> ConfirmContact:
        """The code sent by start_contact: on OK the contact is stored confirmed, notices go, an audit row."""
        return self._contacts.confirm(account_id, ContactKind(kind), code)

    def question_pool(self) -> tuple[Question, ...]:
        return self._questions.pool()

    def set_questions(self, account_id: int, answers: Mapping[str, str]) -> tuple[str, ...]:
        """Replace the person's answers; returns the problems (empty: saved, notices sent, audited)."""
        return self._questions.set_questions(account_id, answers)

    def remove_method(self, account_id: int, kind: MethodKind) -> tuple[str, ...]:
        """Remove a self-enrolled contact or the questions; never the last usable method, never a directory one."""
        return self._methods.remove(account_id, kind)

    def reconfirm(self, account_id: int) -> None:
        """The person says the methods on file are still theirs."""
        self._methods.reconfirm(account_id)

    def needs_reconfirm(self, account_id: int) -> bool:
        """Methods last confirmed more than RESETDESK_REENROLL_DAYS ago (or never, by the person)."""
        return self._methods.needs_reconfirm(account_id)

    def coverage(self) -> Coverage:
        return self._coverage.coverage()

    def nudge(self) -> NudgeSummary:
        """One message to each employee with fewer than 2 methods, by their contacts on file, at most once
        per RESETDESK_NUDGE_INTERVAL_DAYS."""
        return self._coverage.nudge()
