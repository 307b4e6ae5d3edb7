"""Signing in to /enroll with the identifier and current password, under recovery's rules.

- The directory checks the password (SQL: argon2; LDAP/AD: a bind as the person).
- Failures count toward recovery's lock (`FailureCounter`, the same subjects: the account, or "unknown:<hash>"
  for an identifier that matches nobody, and the requester), so guessing here and guessing codes or answers
  in a chat share one budget of RESETDESK_VERIFICATION_MAX_FAILURES per window.
- A per-minute cap per identifier and per requester stops bursts before failures are counted.
- An unknown identifier takes the same steps (a decoy argon2 check in the SQL directory) and is refused like
  a wrong password. The audit row names the pseudonymous requester, never the password or the typed text.
"""

from __future__ import annotations

from core.directory.port import Account
from core.directory.sql import identifier_key
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.types import SignIn, SignInStatus
from core.secrets.ratelimit import Limit
from core.types import Requester

__all__ = ["SignInStep"]


class SignInStep:
    def __init__(self, deps: EnrollmentDeps) -> None:
        self._deps = deps

    def sign_in(self, identifier: str, password: str, requester: Requester) -> SignIn:
        deps = self._deps
        key = identifier_key(identifier)
        account = deps.directory.find(key) if key else None
        account_subject = f"account:{account.id}" if account else "unknown:" + deps.keyed.digest(key, purpose="id")[:40]
        subjects = [account_subject, requester.subject]
        per_minute = deps.failures.max_failures
        wait = deps.limiter.hit_all(
            [Limit(f"enroll-sign-in:{account_subject}", per_minute), Limit(f"enroll-sign-in:{requester.subject}",
                                                                            per_minute)]
        )  # fmt: skip
        if wait is not None:
            return self._paused(requester, account, wait, "rate_limited")
        now = deps.clock.now()
        with deps.database.transaction() as session:
            locked = deps.failures.is_locked(session, subjects, now)
        if locked:
            return self._paused(requester, account, int(deps.failures.window.total_seconds()), "locked")
        # argon2 (or the bind) outside any transaction; account id 0 makes the SQL directory spend a decoy check.
        right = bool(password) and deps.directory.verify_password(account.id if account else 0, password)
        with deps.database.transaction() as session:
            deps.failures.hold(session, subjects)  # the lock is read again with no other judge in between
            if deps.failures.is_locked(session, subjects, now):
                return self._paused(requester, account, int(deps.failures.window.total_seconds()), "locked")
            account_id = account.id if account and right else None
            if account_id is None:
                deps.failures.record(session, subjects, now)
            deps.audit.record(
                session, "enroll.sign_in", actor=requester.subject, account_id=account.id if account else None,
                outcome="ok" if account_id else "refused",
            )  # fmt: skip
        if account_id is None:
            return SignIn(SignInStatus.REFUSED)
        return SignIn(SignInStatus.OK, account_id=account_id)

    def _paused(self, requester: Requester, account: Account | None, wait: int, reason: str) -> SignIn:
        with self._deps.database.transaction() as session:
            account_id = account.id if account else None
            self._deps.audit.record(
                session, "enroll.sign_in", actor=requester.subject, account_id=account_id, outcome=reason
            )
        return SignIn(SignInStatus.PAUSED, retry_after=max(wait, 1))
