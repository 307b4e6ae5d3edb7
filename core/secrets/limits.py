"""Sliding-window counters: failed verifications (the lock) and code sends (the flood cap)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from core.storage.models import OneTimeCode, VerificationFailure

__all__ = ["FailureCounter", "send_wait_seconds"]

# Built once, run with parameters: these run on most turns, and building a statement costs about as much
# as running it.
_FAILURES_BY_SUBJECT = (
    select(VerificationFailure.subject, func.count())
    .where(
        VerificationFailure.subject.in_(bindparam("subjects", expanding=True)),
        VerificationFailure.at > bindparam("since"),
    )
    .group_by(VerificationFailure.subject)
)
_CODES_SENT_SINCE = (
    select(OneTimeCode.created_at)
    .where(OneTimeCode.subject == bindparam("subject"), OneTimeCode.created_at > bindparam("since"))
    .order_by(OneTimeCode.created_at)
)


class FailureCounter:
    """`max_failures` failed verifications within `window` lock self-service verification for a subject.

    Subjects are an account ("account:<id>", or "unknown:<hash>" for identifiers that match nobody) and
    a channel user ("user:<channel>:<id>"): either reaching the limit locks.
    """

    def __init__(self, *, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def record(self, session: Session, subjects: Sequence[str], now: datetime) -> None:
        session.add_all(VerificationFailure(subject=subject, at=now) for subject in subjects)

    def remaining(self, session: Session, subjects: Sequence[str], now: datetime) -> int:
        """Failures left before the lock, for the subject closest to it (one query for all subjects)."""
        counts = session.execute(_FAILURES_BY_SUBJECT, {"subjects": list(subjects), "since": now - self.window})
        worst = max((count for _, count in counts), default=0)
        return max(self.max_failures - worst, 0)

    def is_locked(self, session: Session, subjects: Sequence[str], now: datetime) -> bool:
        return self.remaining(session, subjects, now) == 0


def send_wait_seconds(
    session: Session, subject: str, now: datetime, *, per_hour: int, spacing_seconds: int
) -> tuple[int, bool]:
    """Seconds until `subject` may be sent another code, and whether the hourly cap is the reason."""
    hour_ago = now - timedelta(hours=1)
    sent = session.scalars(_CODES_SENT_SINCE, {"subject": subject, "since": hour_ago}).all()
    if len(sent) >= per_hour:
        oldest_in_window = sent[len(sent) - per_hour]
        return _ceil_seconds(oldest_in_window + timedelta(hours=1) - now), True
    if sent:
        next_allowed = sent[-1] + timedelta(seconds=spacing_seconds)
        if next_allowed > now:
            return _ceil_seconds(next_allowed - now), False
    return 0, False


def _ceil_seconds(delta: timedelta) -> int:
    return max(1, -int(-delta.total_seconds() // 1))
