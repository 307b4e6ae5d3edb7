"""RecoveryService: the one API the dialogs (and the reset page, and agents) call.

A recovery starts from whatever the person typed and is then named by an opaque handle. Unknown
identifiers get a handle too, and every call on it behaves like a typical known account (same options,
same "sent", same failure counting, same hashing time), so nothing the caller sees reveals who exists.

RecoveryService is a facade: its __init__ wires the parts below, and its public methods come from three
parts, each a mixin over RecoveryBase (core/recovery/base.py, the shared state and helpers):
core/recovery/verify.py (start, codes, questions), core/recovery/reset.py (reset link, unlock, the reset
page) and core/recovery/handoff.py (live-support tickets, agent actions).
"""

from __future__ import annotations

from core.audit import Audit
from core.clock import Clock
from core.delivery.breaker import CircuitBreaker
from core.delivery.notify import Notifier
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.queue import DeliveryQueue
from core.directory.port import DirectoryBackend
from core.recovery.handoff import HandoffSteps
from core.recovery.reset import ResetSteps
from core.recovery.verify import VerificationSteps
from core.secrets.answers import AnswerStore
from core.secrets.codes import CodeBook
from core.secrets.hashing import KeyedHasher
from core.secrets.limits import FailureCounter
from core.secrets.links import LinkBook
from core.secrets.password_policy import PasswordPolicy
from core.settings import Settings
from core.storage.db import Database
from core.timing import DeliveryTimes
from core.types import Method

__all__ = ["RecoveryService"]


class RecoveryService(VerificationSteps, ResetSteps, HandoffSteps):
    """The recovery API: verification steps, then a reset link or unlock, or a hand-off to live support.

    Public attributes: `settings`, `breakers` (one circuit breaker per code-sending method), `deliveries`
    (the queue code messages are written to) and `ticket_alerts` (callbacks for newly opened tickets).
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        directory: DirectoryBackend,
        answers: AnswerStore,
        email: EmailSender,
        sms: SmsSender,
        clock: Clock,
    ) -> None:
        if settings.secret_key is None:
            raise ValueError("RecoveryService needs settings.secret_key for its keyed hashes")
        self.settings = settings
        self._db = database
        self._directory = directory
        self._answers = answers
        self._email = email
        self._sms = sms
        self._clock = clock
        keyed = KeyedHasher(settings.secret_key.get_secret_value().encode())
        self._keyed = keyed
        self._codes = CodeBook(
            keyed,
            digits=settings.code_digits,
            ttl_seconds=settings.code_ttl_seconds,
            max_attempts=settings.code_max_attempts,
        )
        self._links = LinkBook(keyed, public_url=settings.public_url, ttl_seconds=settings.reset_token_ttl_seconds)
        self._failures = FailureCounter(
            max_failures=settings.verification_max_failures, window_seconds=settings.verification_window_seconds
        )
        self._policy = PasswordPolicy(
            min_length=settings.password_min_length,
            max_length=settings.password_max_length,
            min_strength=settings.password_min_strength,
        )
        self._delivery_time = DeliveryTimes()
        self.breakers = {
            method: CircuitBreaker(
                method.value,
                failure_threshold=settings.breaker_failure_threshold,
                cooldown_seconds=settings.breaker_cooldown_seconds,
                clock=clock,
            )
            for method in (Method.EMAIL, Method.SMS)
        }
        # Code emails and SMS are queued here and sent by a DeliveryWorker (wired by app.py).
        self.deliveries = DeliveryQueue(
            database,
            clock,
            secret=settings.secret_key.get_secret_value().encode(),
            max_attempts=settings.delivery_max_attempts,
            retry_seconds=settings.delivery_retry_seconds,
        )
        self._notifier = Notifier(
            email=email, sms=sms, email_breaker=self.breakers[Method.EMAIL], sms_breaker=self.breakers[Method.SMS]
        )
        self._audit = Audit(clock)
        # Called with each newly opened ticket: email or Slack alerts to support, wired by app.py.
        self.ticket_alerts = []
