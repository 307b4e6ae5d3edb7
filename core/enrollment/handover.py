"""The hand-over from the reset page to /enroll: a person who just set a new password there lands on the
enrollment page signed in, without typing the new password again.

Completing a reset grants a one-time pass for the account of that recovery. It is kept server-side in a
`ResetSessions` store of its own (sealed, expiring after `ttl_seconds`); the browser that completed the
reset holds only the random handle, in a cookie. Redeeming deletes the row, so a pass works once, and only
while the recovery is fresh proof (core.enrollment.proof) no older than `ttl_seconds`.
"""

from __future__ import annotations

from core.audit import Audit
from core.enrollment.deps import EnrollmentDeps
from core.enrollment.proof import proven_account
from core.secrets.reset_sessions import ResetSessions

__all__ = ["EnrollHandover"]

_PREFIX = "enroll-after-reset:"


class EnrollHandover:
    def __init__(self, deps: EnrollmentDeps, *, ttl_seconds: int = 300) -> None:
        self._deps = deps
        self.ttl_seconds = ttl_seconds
        self._passes = ResetSessions(deps.database, deps.clock, ttl_seconds=ttl_seconds)
        self._audit = Audit(deps.clock)

    def grant(self, recovery_handle: str) -> str | None:
        """A pass for the account of a recovery that just completed a reset (None otherwise): the handle for
        the browser's cookie, shown nowhere else."""
        if proven_account(self._deps, recovery_handle, self.ttl_seconds) is None:
            return None
        return self._passes.open(_PREFIX + recovery_handle)

    def redeem(self, handle: str | None) -> int | None:
        """The account the pass names, once; None for a used, expired or forged one."""
        sealed = self._passes.token(handle)
        self._passes.close(handle)
        if sealed is None or not sealed.startswith(_PREFIX):
            return None
        recovery_handle = sealed.removeprefix(_PREFIX)
        account_id = proven_account(self._deps, recovery_handle, self.ttl_seconds)
        if account_id is not None:
            with self._deps.database.transaction() as session:
                self._audit.record(
                    session, "enrollment.signed_in_after_reset", actor="reset-page", account_id=account_id,
                    recovery_id=recovery_handle,
                )  # fmt: skip
        return account_id
