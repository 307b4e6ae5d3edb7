"""The delivery queue: emails and SMS written to `delivery_jobs` in the caller's transaction, sent later by a
DeliveryWorker (core/delivery/worker.py), so no chat reply waits on a provider.

A job is claimed in one short statement: `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)` on
PostgreSQL, so workers on any host take different rows without waiting on each other; on SQLite the same
conditional UPDATE is atomic because SQLite runs one writer at a time. A claim is a lease with a random
token: the job is sent outside any transaction, and a worker that dies mid-send leaves it to be taken
again once the lease runs out. Only the claim holder can finish a job.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from core.audit import Audit
from core.clock import Clock
from core.delivery.seal import PayloadSeal, SealError
from core.storage.db import Database, rows_changed
from core.storage.models import DeliveryJob, OneTimeCode, Recovery, table_of

__all__ = ["ClaimedJob", "DeliveryFailure", "DeliveryQueue", "Outgoing"]

_JOBS = table_of(DeliveryJob)
_CODES = table_of(OneTimeCode)
_INSERT = insert(_JOBS)
_LEASE = timedelta(minutes=5)  # well above a provider's timeout, so a live sender never loses its claim
_MAX_BACKOFF_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send. An empty `to` is a decoy (an unknown identifier's "code"): nothing is sent."""

    kind: str  # email | sms
    to: str
    body: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    claim: str
    attempts: int  # including this one
    expires_at: datetime | None
    message: Outgoing | None  # None: the payload could not be opened (the secret key changed)


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """A code that could not be delivered: the conversation that asked for it is told and offered another way."""

    recovery_id: str
    method: str
    channel: str
    user_id: str


class DeliveryQueue:
    def __init__(
        self, database: Database, clock: Clock, *, secret: bytes, max_attempts: int, retry_seconds: float
    ) -> None:
        self._database = database
        self._clock = clock
        self._seal = PayloadSeal(secret)
        self._audit = Audit(clock)
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds

    # -- writing ----------------------------------------------------------------------------------------

    def enqueue(
        self,
        session: Session,
        message: Outgoing,
        *,
        recovery_id: str | None = None,
        for_code: bool = False,
        expires_at: datetime | None = None,
    ) -> None:
        """Queue `message` on the caller's transaction: it exists if and only if that transaction commits.
        `for_code`: the message carries the recovery's newest code by its kind, which is forgotten if it fails."""
        payload = self._seal.seal({"to": message.to, "subject": message.subject, "body": message.body},
                                  context=message.kind)  # fmt: skip
        code_id = None
        if for_code and recovery_id is not None:
            code_id = (
                select(func.max(_CODES.c.id))
                .where(_CODES.c.recovery_id == recovery_id, _CODES.c.method == message.kind)
                .scalar_subquery()
            )
        now = self._clock.now()
        row = {"kind": message.kind, "status": "queued", "payload": payload, "recovery_id": recovery_id}
        session.connection().execute(
            _INSERT.values(code_id=code_id) if code_id is not None else _INSERT,
            {**row, "attempts": 0, "run_after": now, "expires_at": expires_at, "created_at": now},
        )

    # -- working ----------------------------------------------------------------------------------------

    def claim(self, limit: int = 10) -> list[ClaimedJob]:
        """Take up to `limit` due jobs for this worker; no other worker gets them while the lease lasts."""
        now = self._clock.now()
        due = or_(
            and_(_JOBS.c.status == "queued", _JOBS.c.run_after <= now),
            and_(_JOBS.c.status == "sending", _JOBS.c.claimed_until < now),
        )
        pick = select(_JOBS.c.id).where(due).order_by(_JOBS.c.id).limit(limit)
        token = secrets.token_hex(16)
        claim = update(_JOBS).values(
            status="sending", claim=token, claimed_until=now + _LEASE, attempts=_JOBS.c.attempts + 1
        )
        if self._database.is_sqlite:
            claim = claim.where(_JOBS.c.id.in_(pick), due)  # SQLite runs the IN list once, as one writer
        else:
            # A CTE is evaluated once: as `id IN (subquery)` PostgreSQL may rerun the locking subquery for every
            # row (a semi join), and one worker would then take every due row, whatever the limit.
            picked = pick.with_for_update(skip_locked=True).cte("picked")
            claim = claim.where(_JOBS.c.id == picked.c.id)
        statement = claim.returning(
            _JOBS.c.id, _JOBS.c.kind, _JOBS.c.payload, _JOBS.c.attempts, _JOBS.c.expires_at
        )
        with self._database.engine.begin() as connection:
            rows = connection.execute(statement).all()
        return sorted((self._claimed(token, *row) for row in rows), key=lambda job: job.id)

    def _claimed(
        self, token: str, job_id: int, kind: str, payload: bytes | None, attempts: int, expires_at: datetime | None
    ) -> ClaimedJob:
        message = None
        if payload is not None:
            try:
                fields = self._seal.open(payload, context=kind)
                message = Outgoing(kind, fields["to"], fields["body"], fields["subject"])
            except (SealError, KeyError):
                message = None
        return ClaimedJob(job_id, kind, token, attempts, expires_at, message)

    def expired(self, job: ClaimedJob) -> bool:
        return job.expires_at is not None and self._clock.now() >= job.expires_at

    def mark_sent(self, job: ClaimedJob) -> None:
        """Done: the payload (the code) is blanked; the recovery's audit trail records the send."""
        with self._database.transaction() as session:
            changed = self._finish(session, job, status="sent", error=None)
            if changed and (recovery := self._recovery_of(session, job.id)) is not None:
                self._audit.record(
                    session, "code.sent", actor="system", account_id=recovery.account_id,
                    recovery_id=recovery.id, method=job.kind,
                )  # fmt: skip

    def mark_failed(self, job: ClaimedJob, reason: str, *, final: bool = False) -> DeliveryFailure | None:
        """A try failed: retry later with a doubling delay, or give up after the last try (or when `final`).
        Returns what to tell the person when the job is given up for a recovery's code."""
        now = self._clock.now()
        if not (final or self.expired(job) or job.attempts >= self.max_attempts):
            delay = min(self.retry_seconds * 2 ** (job.attempts - 1), _MAX_BACKOFF_SECONDS)
            with self._database.engine.begin() as connection:
                connection.execute(
                    update(_JOBS)
                    .where(_JOBS.c.id == job.id, _JOBS.c.claim == job.claim)
                    .values(status="queued", claim=None, claimed_until=None, last_error=reason[:200],
                            run_after=now + timedelta(seconds=delay))
                )  # fmt: skip
            return None
        with self._database.transaction() as session:
            if not self._finish(session, job, status="failed", error=reason):
                return None
            code_id = session.scalar(select(_JOBS.c.code_id).where(_JOBS.c.id == job.id))
            if code_id is not None:
                # The code was never seen, so it must not count (tries, the send spacing and the hourly cap).
                session.connection().execute(delete(_CODES).where(_CODES.c.id == code_id, _CODES.c.used_at.is_(None)))
            recovery = self._recovery_of(session, job.id)
            if recovery is None:
                return None
            self._audit.record(
                session, "code.delivery_failed", actor="system", account_id=recovery.account_id,
                recovery_id=recovery.id, method=job.kind, reason=reason[:200],
            )  # fmt: skip
            return DeliveryFailure(recovery.id, job.kind, recovery.channel, recovery.channel_user)

    def _finish(self, session: Session, job: ClaimedJob, *, status: str, error: str | None) -> bool:
        result = session.connection().execute(
            update(_JOBS)
            .where(_JOBS.c.id == job.id, _JOBS.c.claim == job.claim)
            .values(status=status, payload=None, claim=None, claimed_until=None, finished_at=self._clock.now(),
                    last_error=error[:200] if error else None)
        )  # fmt: skip
        return rows_changed(result) == 1  # 0: the lease ran out and another worker took the job over

    @staticmethod
    def _recovery_of(session: Session, job_id: int) -> Recovery | None:
        recovery_id = session.scalar(select(_JOBS.c.recovery_id).where(_JOBS.c.id == job_id))
        return session.get(Recovery, recovery_id) if recovery_id is not None else None

    # -- looking ----------------------------------------------------------------------------------------

    def waiting(self) -> int:
        """Jobs not yet sent or given up (queued, retrying or being sent)."""
        with self._database.engine.connect() as connection:
            statuses = _JOBS.c.status.in_(("queued", "sending"))
            count = connection.scalar(select(func.count()).select_from(_JOBS).where(statuses))
        return int(count or 0)
