"""What the enrollment parts work with: one frozen `EnrollmentDeps`, built from recovery's own parts so the
two share one keyed hasher, failure counter (the lock), delivery queue, audit trail and circuit breakers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.audit import Audit
from core.clock import Clock
from core.delivery.breaker import CircuitBreaker
from core.delivery.queue import DeliveryQueue
from core.directory.port import DirectoryBackend
from core.recovery.deps import RecoveryDeps
from core.secrets.answers import AnswerStore
from core.secrets.hashing import KeyedHasher
from core.secrets.limits import FailureCounter
from core.secrets.ratelimit import RateLimiter
from core.settings import Settings
from core.storage.db import Database
from core.types import Method

__all__ = ["EnrollmentDeps", "EnrollmentLimits"]


@dataclass(frozen=True, slots=True)
class EnrollmentLimits:
    """The numbers enrollment reads (each one a setting, see core/settings.py)."""

    questions_required: int  # RESETDESK_QUESTIONS_MIN_ENROLLED
    code_digits: int
    code_ttl_seconds: int
    code_max_attempts: int
    code_sends_per_hour: int
    code_send_interval_seconds: int
    reenroll_days: int
    nudge_interval_days: int
    public_url: str
    default_language: str = "en"  # RESETDESK_DEFAULT_LANGUAGE: nudges know no person's language

    @classmethod
    def from_settings(cls, settings: Settings) -> EnrollmentLimits:
        return cls(
            questions_required=settings.questions_min_enrolled,
            code_digits=settings.code_digits,
            code_ttl_seconds=settings.code_ttl_seconds,
            code_max_attempts=settings.code_max_attempts,
            code_sends_per_hour=settings.code_sends_per_hour,
            code_send_interval_seconds=settings.code_send_interval_seconds,
            reenroll_days=settings.reenroll_days,
            nudge_interval_days=settings.nudge_interval_days,
            public_url=settings.public_url,
            default_language=settings.default_language,
        )


@dataclass(frozen=True, slots=True)
class EnrollmentDeps:
    limits: EnrollmentLimits
    database: Database
    clock: Clock
    directory: DirectoryBackend
    answers: AnswerStore
    keyed: KeyedHasher
    failures: FailureCounter  # recovery's: sign-in failures count toward the same lock
    limiter: RateLimiter
    deliveries: DeliveryQueue
    audit: Audit
    breakers: Mapping[Method, CircuitBreaker]

    @classmethod
    def build(cls, settings: Settings, recovery: RecoveryDeps, limiter: RateLimiter) -> EnrollmentDeps:
        return cls(
            limits=EnrollmentLimits.from_settings(settings),
            database=recovery.database,
            clock=recovery.clock,
            directory=recovery.directory,
            answers=recovery.answers,
            keyed=recovery.keyed,
            failures=recovery.failures,
            limiter=limiter,
            deliveries=recovery.deliveries,
            audit=recovery.audit,
            breakers=recovery.breakers,
        )
