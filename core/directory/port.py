"""The directory port: what recovery needs from wherever accounts and passwords live.

Backends live beside it (`sql` today; LDAP and Active Directory next) and implement `DirectoryBackend`;
the delivery ports are in `core.delivery.ports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Account", "DirectoryBackend", "DirectoryUnavailable", "PasswordRefused"]


@dataclass(frozen=True, slots=True)
class Account:
    """What the recovery service knows of an employee. Holds no secret."""

    id: int
    employee_id: str
    username: str | None
    full_name: str
    email: str | None
    phone: str | None
    locked: bool

    @property
    def personal_words(self) -> list[str]:
        """Words a password must not be built on (for the strength check)."""
        words = [self.employee_id, *(self.full_name.split())]
        if self.username:
            words.append(self.username)
        if self.email:
            words.append(self.email.split("@", 1)[0])
        return [w for w in words if w]


class DirectoryUnavailable(Exception):
    """The directory is unreachable, timed out or refused ResetDesk's own bind: the person is handed to support.

    The message is for operators (no secret, no DN of a person)."""


class PasswordRefused(Exception):
    """The directory's own password policy refused a new password; nothing changed.

    `problems` are plain words for the person (e.g. "It is one of your recent passwords"): the reset page
    shows them and the link stays usable."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class DirectoryBackend(Protocol):
    def find(self, identifier: str) -> Account | None:
        """By employee ID or username, case-insensitively; None when neither matches. An email address or a
        phone number typed instead (core.directory.contacts) finds the one account that has it, and nobody when
        several share it; an ID or username match wins over a contact match."""

    def find_by_email(self, email: str) -> Account | None:
        """The single account with this email, for proposing an account (never as verification)."""

    def get(self, account_id: int) -> Account | None: ...

    def verify_password(self, account_id: int, password: str) -> bool: ...

    def is_recent_password(self, account_id: int, password: str, depth: int) -> bool:
        """Whether `password` is the current one or among the `depth` most recent."""

    def set_password(self, account_id: int, password: str) -> None:
        """Set a new password (already checked against policy), keep it in the history, unlock.

        Raises PasswordRefused when the directory's own policy says no, DirectoryUnavailable when it can't
        be reached; either way the password is unchanged."""

    def unlock(self, account_id: int) -> None: ...
