"""Values the enrollment service takes and returns (core.enrollment.EnrollmentService).

Plain frozen dataclasses and StrEnums, no Flask: the /enroll page and the chat read them the same way.
Expected outcomes are statuses, never exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

__all__ = [
    "ConfirmContact",
    "ConfirmStatus",
    "ContactEntry",
    "ContactKind",
    "ContactSource",
    "Coverage",
    "MethodKind",
    "Methods",
    "NudgeSummary",
    "QuestionsEntry",
    "SignIn",
    "SignInStatus",
    "StartContact",
    "StartStatus",
]

MethodKind = Literal["email", "sms", "questions"]  # what remove_method takes


class SignInStatus(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # wrong identifier or password (never says which), or a locked account
    PAUSED = "paused"  # too many attempts: try again after `retry_after` seconds


@dataclass(frozen=True, slots=True)
class SignIn:
    status: SignInStatus
    account_id: int | None = None  # set only when OK
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.status is SignInStatus.OK


class ContactKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"  # a mobile number


class ContactSource(StrEnum):
    DIRECTORY = "directory"  # from the company directory: read-only here
    SELF = "self"  # added by the person and confirmed with a code


@dataclass(frozen=True, slots=True)
class ContactEntry:
    kind: ContactKind
    display: str  # the full value: only the signed-in person sees it
    verified: bool
    confirmed_at: datetime | None  # None for directory contacts (the directory vouches for them)
    source: ContactSource
    read_only: bool


@dataclass(frozen=True, slots=True)
class QuestionsEntry:
    count: int  # questions answered
    enrolled_at: datetime | None  # when last set or reconfirmed; None for answers imported by an admin


@dataclass(frozen=True, slots=True)
class Methods:
    contacts: tuple[ContactEntry, ...]
    questions: QuestionsEntry | None  # None when no answer is on file
    needs_reconfirm: bool
    count: int  # usable methods: contacts, plus questions when at least questions_required are answered


class StartStatus(StrEnum):
    OK = "ok"  # a code went to the new contact (through the delivery queue)
    INVALID = "invalid"  # `problem` says why (not an email address / mobile number, the same as on file ...)
    TOO_SOON = "too_soon"  # `retry_after` seconds
    UNAVAILABLE = "unavailable"  # that kind of delivery is down now


@dataclass(frozen=True, slots=True)
class StartContact:
    status: StartStatus
    problem: str = ""
    retry_after: int = 0


class ConfirmStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # `tries_left` more
    EXPIRED = "expired"  # expired, or no code pending for that kind: start again
    USED_UP = "used_up"  # all tries spent: start again


@dataclass(frozen=True, slots=True)
class ConfirmContact:
    status: ConfirmStatus
    tries_left: int | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Employees by number of usable methods, and by method."""

    employees: int
    by_count: Mapping[str, int]  # "0", "1", "2", "3+"
    by_method: Mapping[str, int]  # "email", "sms", "questions" (directory or confirmed self contacts)
    self_enrolled: Mapping[str, int] = field(default_factory=dict)  # of those, confirmed self contacts by kind


@dataclass(frozen=True, slots=True)
class NudgeSummary:
    considered: int  # employees with fewer than 2 methods
    sent: int  # nudged now (one message per contact on file)
    messages: int
    recently_nudged: int  # skipped: nudged within RESETDESK_NUDGE_INTERVAL_DAYS
    unreachable: int  # no contact on file: nobody to nudge (support must enroll them)
