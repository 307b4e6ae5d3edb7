"""Sliding-window counters: failed verifications (the lock) and code sends (the flood cap)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, bindparam, func, select
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
_FAILURE_TIMES = (
    select(VerificationFailure.subject, VerificationFailure.at)
    .where(
        VerificationFailure.subject.in_(bindparam("subjects", expanding=True)),
        VerificationFailure.at > bindparam("since"),
    )
    .order_by(VerificationFailure.at)
)
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
_CODES_SENT_SINCE = (
    select(OneTimeCode.created_at, OneTimeCode.recovery_id, OneTimeCode.method)
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

    def hold(self, session: Session, subjects: Sequence[str]) -> None:
        """Make this transaction the only judge of `subjects` until it ends, so that checking the limit,
        judging a guess and counting a failure are one atomic step: parallel guesses queue here instead of
        all reading "not locked" before any of them counts (which let 20 parallel answers past a limit of 10).

        PostgreSQL: a transaction-scoped advisory lock per subject, taken in sorted order (no deadlock).
        SQLite allows one writer at a time: BEGIN IMMEDIATE takes the write lock now, so what is read next is
        the newest and nobody else commits before this transaction ends. It must come before the transaction's
        first write (pysqlite opens transactions lazily, at the first write); reads before it are fine.
        """
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        for key in sorted({_lock_key(subject) for subject in subjects}):
            connection.execute(_ADVISORY_LOCK, {"key": key})

    def record(self, session: Session, subjects: Sequence[str], now: datetime) -> None:
        session.add_all(VerificationFailure(subject=subject, at=now) for subject in subjects)

    def remaining(self, session: Session, subjects: Sequence[str], now: datetime) -> int:
        """Failures left before the lock, for the subject closest to it (one query for all subjects)."""
        counts = session.execute(_FAILURES_BY_SUBJECT, {"subjects": list(subjects), "since": now - self.window})
        worst = max((count for _, count in counts), default=0)
        return max(self.max_failures - worst, 0)

    def is_locked(self, session: Session, subjects: Sequence[str], now: datetime) -> bool:
        return self.remaining(session, subjects, now) == 0

    def unlocks_at(self, session: Session, subjects: Sequence[str], now: datetime) -> datetime | None:
        """When the lock ends: when enough failures have left the window for every locked subject (None: not
        locked). Only asked once locked, so the extra read is off the common path."""
        times: dict[str, list[datetime]] = {}
        for subject, at in session.execute(_FAILURE_TIMES, {"subjects": list(subjects), "since": now - self.window}):
            times.setdefault(subject, []).append(at)
        # A subject with n >= max failures is locked until its (n - max + 1)-th oldest leaves the window.
        ends = [at[len(at) - self.max_failures] + self.window for at in times.values() if len(at) >= self.max_failures]
        return max(ends, default=None)


def send_wait_seconds(
    session: Session,
    subject: str,
    recovery_id: str,
    method: str,
    now: datetime,
    *,
    per_hour: int,
    spacing_seconds: int,
) -> tuple[int, bool]:
    """Seconds until this recovery may be sent another code by `method`, and whether the hourly cap is why.

    The hourly cap counts every send for `subject` (the account), so many sessions can't flood one phone.
    The spacing counts only this recovery's sends by this method: spaced per account, a "please wait" told
    someone starting a recovery by username that a code had just gone out for an employee ID, linking the two.
    """
    hour_ago = now - timedelta(hours=1)
    since = min(hour_ago, now - timedelta(seconds=spacing_seconds))
    sent = session.execute(_CODES_SENT_SINCE, {"subject": subject, "since": since}).all()
    in_hour = [at for at, _, _ in sent if at > hour_ago]
    if len(in_hour) >= per_hour:
        oldest_in_window = in_hour[len(in_hour) - per_hour]
        return _ceil_seconds(oldest_in_window + timedelta(hours=1) - now), True
    mine = [at for at, sent_for, by in sent if sent_for == recovery_id and by == method]
    if mine:
        next_allowed = mine[-1] + timedelta(seconds=spacing_seconds)
        if next_allowed > now:
            return _ceil_seconds(next_allowed - now), False
    return 0, False


def _lock_key(subject: str) -> int:
    """A subject as a signed 64-bit advisory-lock key (a collision only makes two subjects queue together)."""
    return int.from_bytes(hashlib.blake2b(subject.encode(), digest_size=8).digest(), "big", signed=True)


def _ceil_seconds(delta: timedelta) -> int:
    return max(1, -int(-delta.total_seconds() // 1))
