"""What the recovery steps work with: one frozen `RecoveryDeps`, built once by `build_deps`.

Each step object (verification, reset, hand-off) receives the same `RecoveryDeps`, so no step owns shared
state and a test can build a step on its own. The steps get the numbers they need (`RecoveryLimits`),
not the settings object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from core.audit import Audit
from core.clock import Clock
from core.delivery.breaker import CircuitBreaker
from core.delivery.notify import Notifier
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.queue import DeliveryQueue
from core.directory.port import DirectoryBackend
from core.recovery.destinations import Destinations
from core.secrets.answers import AnswerStore
from core.secrets.breached import BreachedPasswords
from core.secrets.codes import CodeBook
from core.secrets.hashing import KeyedHasher
from core.secrets.limits import FailureCounter
from core.secrets.links import LinkBook
from core.secrets.password_policy import PasswordPolicy
from core.secrets.pseudonyms import Pseudonyms
from core.settings import Settings
from core.storage.db import Database
from core.types import Method, Requester, Ticket

__all__ = ["RecoveryDeps", "RecoveryLimits", "TicketAlert", "build_deps"]

TicketAlert = Callable[[Ticket, Requester], None]


@dataclass(frozen=True, slots=True)
class RecoveryLimits:
    """The policy numbers the steps read (each one a setting, see core/settings.py)."""

    policy: Literal["standard", "strict"]
    method_disclosure: Literal["enrolled", "all"]
    questions_min_enrolled: int
    questions_asked: int
    code_ttl_seconds: int
    code_sends_per_hour: int
    code_send_interval_seconds: int
    password_history: int
    links_per_verification: int
    support_hours: str | None
    support_minutes_per_ticket: int
    directory_forces_change: bool  # the directory asks for another change at next sign-in (LDAP_FORCE_CHANGE)
    default_language: str = "en"  # a recovery begun outside a chat turn (no language spoken) records this

    @classmethod
    def from_settings(cls, settings: Settings) -> RecoveryLimits:
        return cls(
            policy=settings.policy,
            method_disclosure=settings.method_disclosure,
            questions_min_enrolled=settings.questions_min_enrolled,
            questions_asked=settings.questions_asked,
            code_ttl_seconds=settings.code_ttl_seconds,
            code_sends_per_hour=settings.code_sends_per_hour,
            code_send_interval_seconds=settings.code_send_interval_seconds,
            password_history=settings.password_history,
            links_per_verification=settings.reset_links_per_verification,
            support_hours=settings.support_hours,
            support_minutes_per_ticket=settings.support_minutes_per_ticket,
            directory_forces_change=settings.directory != "sql" and settings.ldap_force_change,
            default_language=settings.default_language,
        )


@dataclass(frozen=True, slots=True)
class RecoveryDeps:
    """Everything a recovery step may use. Frozen: the steps share it and none may rewire it."""

    limits: RecoveryLimits
    database: Database
    clock: Clock
    directory: DirectoryBackend
    answers: AnswerStore
    email: EmailSender
    sms: SmsSender
    keyed: KeyedHasher
    codes: CodeBook
    links: LinkBook
    failures: FailureCounter
    passwords: PasswordPolicy
    notifier: Notifier
    deliveries: DeliveryQueue  # code messages, written in the code's transaction and sent by the worker
    audit: Audit
    breakers: Mapping[Method, CircuitBreaker]
    destinations: Destinations  # where a code went, masked (a decoy of the same shape when nowhere)
    # Called with each newly opened ticket (email or Slack alerts to support, wired by app.py); the list is
    # shared, so callbacks appended after construction are seen by the hand-off step.
    ticket_alerts: list[TicketAlert]


def build_deps(
    settings: Settings,
    database: Database,
    *,
    directory: DirectoryBackend,
    answers: AnswerStore,
    email: EmailSender,
    sms: SmsSender,
    clock: Clock,
) -> RecoveryDeps:
    if settings.secret_key is None:
        raise ValueError("RecoveryService needs settings.secret_key for its keyed hashes")
    keyed = KeyedHasher(settings.secret_key.get_secret_value().encode())
    breakers = {
        method: CircuitBreaker(
            method.value,
            failure_threshold=settings.breaker_failure_threshold,
            cooldown_seconds=settings.breaker_cooldown_seconds,
            clock=clock,
        )
        for method in (Method.EMAIL, Method.SMS)
    }
    return RecoveryDeps(
        limits=RecoveryLimits.from_settings(settings),
        database=database,
        clock=clock,
        directory=directory,
        answers=answers,
        email=email,
        sms=sms,
        keyed=keyed,
        codes=CodeBook(
            keyed,
            digits=settings.code_digits,
            ttl_seconds=settings.code_ttl_seconds,
            max_attempts=settings.code_max_attempts,
        ),
        links=LinkBook(keyed, public_url=settings.public_url, ttl_seconds=settings.reset_token_ttl_seconds),
        failures=FailureCounter(
            max_failures=settings.verification_max_failures, window_seconds=settings.verification_window_seconds
        ),
        passwords=PasswordPolicy(
            min_length=settings.password_min_length,
            max_length=settings.password_max_length,
            min_strength=settings.password_min_strength,
            breached=BreachedPasswords(settings.breached_passwords_file),
        ),
        notifier=Notifier(
            email=email,
            sms=sms,
            email_breaker=breakers[Method.EMAIL],
            sms_breaker=breakers[Method.SMS],
            default_language=settings.default_language,
        ),
        deliveries=DeliveryQueue(
            database,
            clock,
            secret=settings.secret_key.get_secret_value().encode(),
            max_attempts=settings.delivery_max_attempts,
            retry_seconds=settings.delivery_retry_seconds,
        ),
        audit=Audit(clock, Pseudonyms(settings.secret_key.get_secret_value().encode())),
        breakers=breakers,
        destinations=Destinations(
            keyed, clock, public_url=settings.public_url, domain=settings.code_decoy_email_domain
        ),
        ticket_alerts=[],
    )
