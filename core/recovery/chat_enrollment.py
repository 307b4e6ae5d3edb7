"""The chat's way into enrollment (issue 16): changes only right after a verification, for the verified person.

The dialog (dialogs/enrollment.py) never holds an account id. It names its recovery's handle and the moment
it saw the verification (`stamp`), and `account` checks again on every step that this conversation saw a
verification, that the recovery belongs to the same chat user, and that core still counts it as fresh proof
(EnrollmentService.proven_account: verified, or reset or unlocked, within 10 minutes, read from the audit
trail): a chat session taken over later gets nothing. Answers typed over several messages wait in the
conversation sealed (AES-GCM, bound to the recovery), never in plain text.
"""

from __future__ import annotations

import base64
import hashlib

from core.delivery.seal import PayloadSeal, SealError
from core.enrollment.service import EnrollmentService
from core.recovery.deps import RecoveryDeps
from core.storage.models import Recovery
from core.types import Requester

__all__ = ["ChatEnrollment"]

_SEAL_INFO = b"resetdesk/chat-enrollment-answers/v1"


class ChatEnrollment:
    """Public attribute `service`: the EnrollmentService the dialog calls with the account `account` gave."""

    def __init__(self, deps: RecoveryDeps, service: EnrollmentService, secret: bytes) -> None:
        self._deps = deps
        self.service = service
        # Its own key: the delivery queue's seal is keyed from the same secret through another derivation.
        self._seal = PayloadSeal(hashlib.sha256(_SEAL_INFO + secret).digest())

    def stamp(self) -> str:
        """The moment of a verification, as the dialog keeps it."""
        return self._deps.clock.now().isoformat(timespec="seconds")

    def account(self, handle: str | None, requester: Requester, verified_at: str | None) -> int | None:
        """The account this requester's recovery verified, while core counts that proof as fresh; else None.
        `verified_at` is the dialog's mark that the verification happened in this conversation."""
        if not handle or not verified_at:
            return None
        with self._deps.database.transaction() as session:
            recovery = session.get(Recovery, handle)
            if recovery is None or (recovery.channel, recovery.channel_user) != (requester.channel, requester.user_id):
                return None
        return self.service.proven_account(handle)

    def seal(self, handle: str, value: str) -> str:
        sealed = self._seal.seal({"v": value}, context=f"enroll-answer:{handle}")
        return base64.urlsafe_b64encode(sealed).decode()

    def open(self, handle: str, sealed: str) -> str | None:
        """The sealed value, or None when it does not open for this recovery (another key, or moved)."""
        try:
            return self._seal.open(base64.urlsafe_b64decode(sealed), context=f"enroll-answer:{handle}")["v"]
        except (SealError, ValueError, KeyError):
            return None
