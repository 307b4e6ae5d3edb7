"""The shared ground of RecoveryService's parts: the state they use and the helpers more than one needs.

RecoveryService (core/recovery/service.py) is composed of three parts (verification, reset, hand-off), each a
mixin over RecoveryBase. This module declares, with types, the attributes RecoveryService.__init__ wires
so every part type-checks on its own, and holds what several parts call: loading a recovery, whether
it is locked or verified, and which methods it offers next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from core.audit import Audit
from core.clock import Clock
from core.delivery.breaker import CircuitBreaker
from core.delivery.notify import Notifier
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.queue import DeliveryQueue
from core.directory.port import Account, DirectoryBackend
from core.secrets.answers import AnswerStore
from core.secrets.codes import CodeBook
from core.secrets.hashing import KeyedHasher
from core.secrets.limits import FailureCounter
from core.secrets.links import LinkBook
from core.secrets.password_policy import PasswordPolicy
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Recovery
from core.timing import DeliveryTimes
from core.types import Method, NotVerifiedError, Options, Requester, Ticket, UnknownRecoveryError

__all__ = ["RecoveryBase"]

AGENT_VOUCHED = "agent"  # a verified step recorded when a support agent verified the person their own way
_CODE_FIRST = {"standard": (Method.SMS, Method.EMAIL, Method.QUESTIONS), "strict": (Method.EMAIL, Method.SMS)}


class RecoveryBase:
    """What RecoveryService's parts share; RecoveryService.__init__ sets every attribute declared here."""

    settings: Settings
    breakers: dict[Method, CircuitBreaker]
    deliveries: DeliveryQueue
    ticket_alerts: list[Callable[[Ticket, Requester], None]]
    _db: Database
    _directory: DirectoryBackend
    _answers: AnswerStore
    _email: EmailSender
    _sms: SmsSender
    _clock: Clock
    _keyed: KeyedHasher
    _codes: CodeBook
    _links: LinkBook
    _failures: FailureCounter
    _policy: PasswordPolicy
    _notifier: Notifier
    _delivery_time: DeliveryTimes
    _audit: Audit

    # -- where things stand -----------------------------------------------------------------------------

    def _options(self, session: Session, recovery: Recovery) -> Options:
        now = self._clock.now()
        if recovery.completed_at is not None:
            return Options(methods=(), verified=True, completed=True)
        if self._is_verified(session, recovery):
            return Options(methods=(), verified=True)
        if self._locked(session, recovery, now):
            return Options(methods=(), locked=True)
        # A method whose code has had all its tries is not offered again in this recovery: a resend would
        # inherit the spent tries, so it could never succeed.
        exhausted = self._codes.exhausted_methods(session, recovery.id)
        wanted = tuple(m for m in self._next_methods(session, recovery) if m not in exhausted)
        down = tuple(m for m in wanted if m.sends_code and not self.breakers[m].available)
        return Options(methods=tuple(m for m in wanted if m not in down), unavailable=down)

    def _on_file(self, session: Session, recovery: Recovery) -> set[Method]:
        # The same two lookups whether or not the account exists (id 0 matches nothing): equal timing.
        account = self._directory.get(recovery.account_id or 0)
        enrolled = self._answers.enrolled(account.id if account else 0)
        if account is None:
            return set(Method)  # decoy: looks like an account with everything on file
        methods = {m for m, value in ((Method.SMS, account.phone), (Method.EMAIL, account.email)) if value}
        if len(enrolled) >= self.settings.questions_min_enrolled:
            methods.add(Method.QUESTIONS)
        return methods

    def _next_methods(self, session: Session, recovery: Recovery) -> tuple[Method, ...]:
        on_file = self._on_file(session, recovery)
        done = set(recovery.verified_steps)
        if self.settings.policy == "strict" and done & {Method.SMS, Method.EMAIL}:
            # Questions are only ever a second step after a code under `strict`.
            return (Method.QUESTIONS,) if Method.QUESTIONS in on_file - done else ()
        return tuple(m for m in _CODE_FIRST[self.settings.policy] if m in on_file)

    def _is_verified(self, session: Session, recovery: Recovery) -> bool:
        done = set(recovery.verified_steps)
        if recovery.account_id is None or not done:
            return False
        if self.settings.policy == "standard" or AGENT_VOUCHED in done:
            return True
        has_code = bool(done & {Method.SMS, Method.EMAIL})
        return has_code and Method.QUESTIONS not in self._on_file(session, recovery) - done

    # -- helpers ----------------------------------------------------------------------------------------

    @staticmethod
    def _load(session: Session, handle: str) -> Recovery:
        recovery = session.get(Recovery, handle)
        if recovery is None:
            raise UnknownRecoveryError("no such recovery")
        return recovery

    def _verified(self, session: Session, handle: str) -> Recovery:
        recovery = self._load(session, handle)
        options = self._options(session, recovery)
        if not options.verified or options.completed:
            raise NotVerifiedError("the person has not been verified for this recovery")
        return recovery

    def _account(self, recovery: Recovery) -> Account | None:
        return self._directory.get(recovery.account_id) if recovery.account_id is not None else None

    def _locked(self, session: Session, recovery: Recovery, now: datetime) -> bool:
        return not recovery.agent_override and self._failures.is_locked(session, self._subjects(recovery), now)

    @staticmethod
    def _subjects(recovery: Recovery) -> list[str]:
        return [recovery.subject, Requester(recovery.channel, recovery.channel_user).subject]

    @staticmethod
    def _actor(recovery: Recovery) -> str:
        return Requester(recovery.channel, recovery.channel_user).subject

    def _requester_subject(self, handle: str) -> str:
        with self._db.transaction() as session:
            return self._actor(self._load(session, handle))
