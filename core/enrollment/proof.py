"""Fresh proof from a recovery: who may change methods without signing in with a password.

The chat offers "add a backup way" right after a recovery, and the reset page's success screen sends the
person to /enroll signed in. Both hold a recovery handle; this turns it into an account id only when that
recovery fully verified its person (or finished a reset or unlock) within the last `within_seconds` (10 minutes
by default): a stolen chat session older than that gets nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.enrollment.deps import EnrollmentDeps
from core.storage.models import AuditEvent, Recovery

__all__ = ["FRESH_SECONDS", "proven_account"]

FRESH_SECONDS = 600
# Audit events that mark a recovery's person as verified (the step's row is written in the step's transaction).
_PROOF = ("verification.passed", "agent.link_issued")


def proven_account(deps: EnrollmentDeps, handle: str, within_seconds: int = FRESH_SECONDS) -> int | None:
    cutoff = deps.clock.now() - timedelta(seconds=within_seconds)
    with deps.database.transaction() as session:
        recovery = session.get(Recovery, handle)
        if recovery is None or recovery.account_id is None or not recovery.verified_steps:
            return None
        if recovery.completed_at is not None and recovery.completed_at >= cutoff:
            return recovery.account_id
        rows = session.execute(
            select(AuditEvent.event, AuditEvent.detail).where(
                AuditEvent.recovery_id == handle, AuditEvent.event.in_(_PROOF), AuditEvent.at >= cutoff
            )
        ).all()
    # verification.passed with complete=False is the first step of two (strict policy): not proof yet.
    fresh = any(event != "verification.passed" or detail.get("complete") for event, detail in rows)
    return recovery.account_id if fresh else None
