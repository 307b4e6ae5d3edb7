"""The hand-over from the reset page to /enroll: a person who just set a new password there lands on the
enrollment page signed in, without typing the new password again.

Completing a reset grants a one-time pass for the account of that recovery. It is kept server-side in a
`ResetSessions` store of its own (sealed, expiring after `ttl_seconds`); the browser that completed the
reset holds only the random handle, in a cookie. Redeeming deletes the row, so a pass works once, and only
for a recovery whose reset completed within the last `ttl_seconds`.
"""

from __future__ import annotations

from datetime import timedelta

from core.audit import Audit
from core.clock import Clock
from core.secrets.reset_sessions import ResetSessions
from core.storage.db import Database
from core.storage.models import Recovery

__all__ = ["EnrollHandover"]

_PREFIX = "enroll-after-reset:"


class EnrollHandover:
    def __init__(self, database: Database, clock: Clock, *, ttl_seconds: int = 300) -> None:
        self._db = database
        self._clock = clock
        self.ttl_seconds = ttl_seconds
        self._passes = ResetSessions(database, clock, ttl_seconds=ttl_seconds)
        self._audit = Audit(clock)

    def grant(self, recovery_handle: str) -> str | None:
        """A pass for the account of a recovery that just completed a reset (None otherwise): the handle for
        the browser's cookie, shown nowhere else."""
        if self._account(recovery_handle) is None:
            return None
        return self._passes.open(_PREFIX + recovery_handle)

    def redeem(self, handle: str | None) -> int | None:
        """The account the pass names, once; None for a used, expired or forged one."""
        sealed = self._passes.token(handle)
        self._passes.close(handle)
        if sealed is None or not sealed.startswith(_PREFIX):
            return None
        recovery_handle = sealed.removeprefix(_PREFIX)
        account_id = self._account(recovery_handle)
        if account_id is not None:
            with self._db.transaction() as session:
                self._audit.record(
                    session, "enrollment.signed_in_after_reset", actor="reset-page", account_id=account_id,
                    recovery_id=recovery_handle,
                )  # fmt: skip
        return account_id

    def _account(self, recovery_handle: str) -> int | None:
        since = self._clock.now() - timedelta(seconds=self.ttl_seconds)
        with self._db.transaction() as session:
            recovery = session.get(Recovery, recovery_handle)
            if recovery is None or recovery.completed_at is None or recovery.completed_at < since:
                return None
            return recovery.account_id
