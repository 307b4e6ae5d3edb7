"""Values the recovery service takes and returns. Expected outcomes are results, not exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "CheckResult",
    "CheckStatus",
    "HandoffReason",
    "LinkLimitError",
    "Method",
    "NotVerifiedError",
    "Options",
    "Purpose",
    "Requester",
    "ResetLink",
    "ResetOutcome",
    "ResetStatus",
    "SendResult",
    "SendStatus",
    "Ticket",
    "UnknownRecoveryError",
]


class Method(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    QUESTIONS = "questions"

    @property
    def sends_code(self) -> bool:
        return self is not Method.QUESTIONS


class Purpose(StrEnum):
    RESET = "reset"
    UNLOCK = "unlock"


class HandoffReason(StrEnum):
    ASKED = "asked"
    NO_METHOD = "no_method"
    PROVIDER_DOWN = "provider_down"
    VERIFICATION_LOCKED = "verification_locked"
    NOT_UNDERSTOOD = "not_understood"
    DIRECTORY_DOWN = "directory_unavailable"
    METHODS_UNUSABLE = "methods_unusable"  # contacts are on file, but the person can use none of them


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking: a conversation is keyed by (channel, user_id)."""

    channel: str
    user_id: str

    @property
    def subject(self) -> str:
        return f"user:{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Options:
    """Where a recovery stands: what the person can use next.

    `methods` are usable now, in the policy's order; `unavailable` are on file but their provider is down.
    Unknown identifiers get the same shape as a typical known account, so this never tells them apart.
    """

    methods: tuple[Method, ...]
    unavailable: tuple[Method, ...] = ()
    locked: bool = False
    verified: bool = False
    completed: bool = False
    # While locked: when self-service verification opens again, and in how many seconds (None: not locked).
    locked_until: datetime | None = None
    locked_seconds: int | None = None


class SendStatus(StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"  # `retry_after` seconds until the next send is allowed
    RATE_LIMITED = "rate_limited"  # hourly cap reached; `retry_after` seconds
    UNAVAILABLE = "unavailable"  # the provider failed or is marked down; offer another method
    LOCKED = "locked"  # verification is locked for this account or person
    NOT_OFFERED = "not_offered"  # that method is not among Options.methods


@dataclass(frozen=True, slots=True)
class SendResult:
    """`destination` says where the code went, masked ("a•••@example.com", or the phone's last 2 digits): set
    when SENT, and when TOO_SOON with `code_pending` (the code sent a moment ago can still be typed)."""

    status: SendStatus
    retry_after: int | None = None
    destination: str | None = None
    code_pending: bool = False

    @property
    def sent(self) -> bool:
        return self.status is SendStatus.SENT


class CheckStatus(StrEnum):
    VERIFIED = "verified"  # the policy is satisfied: a link or unlock may follow
    NEXT_STEP = "next_step"  # right, but the policy asks for another step (strict profile)
    WRONG = "wrong"  # `tries_left` more tries on this code (or before the lock, for answers)
    EXPIRED = "expired"
    NO_CODE = "no_code"  # nothing to check: never sent, already used, or replaced
    USED_UP = "used_up"  # this code has had all its tries; send a new one or pick another method
    MALFORMED = "malformed"  # not a code at all; not counted as a try
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: CheckStatus
    tries_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in (CheckStatus.VERIFIED, CheckStatus.NEXT_STEP)


@dataclass(frozen=True, slots=True)
class ResetLink:
    url: str = field(repr=False)  # holds the token
    expires_at: datetime


class ResetStatus(StrEnum):
    DONE = "done"
    INVALID_LINK = "invalid_link"  # unknown, used, expired or replaced
    MISMATCH = "mismatch"  # the two entries differ
    REJECTED = "rejected"  # policy problems in `problems`
    FAILED = "failed"  # the directory could not save it; the link still works


@dataclass(frozen=True, slots=True)
class ResetOutcome:
    status: ResetStatus
    problems: tuple[str, ...] = ()
    score: int | None = None
    # On DONE: the recovery that issued the link and who asked, so their chat can confirm.
    handle: str | None = None
    requester: Requester | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    reference: str
    reason: HandoffReason
    position: int  # place in the queue of open tickets, 1 = next (0 once an agent has taken it)
    expected_wait_minutes: int = 0
    opens_at: datetime | None = None  # when support opens, if it is closed now (local time of the support desk)
    assigned: bool = False
    created: bool = False  # this call opened it (rather than finding the person's open ticket)


class UnknownRecoveryError(LookupError):
    """The handle names no recovery (a programming error or a forged handle)."""


class NotVerifiedError(PermissionError):
    """A link or unlock was asked for before the person was verified."""


class LinkLimitError(PermissionError):
    """This verification has had all the reset links it may have; verifying again gives new ones."""
