"""One-time codes: made with `secrets`, stored as a keyed hash, checked atomically in SQL.

Tries are counted on the code row with a conditional UPDATE, so two workers checking at once can never
both accept one code nor both spend the same try.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from core.db import rows_changed
from core.hashing import KeyedHasher
from core.models import OneTimeCode, Recovery, table_of
from core.types import CheckStatus, Method

__all__ = ["CodeBook", "clean_code"]

_SEPARATORS = re.compile(r"[\s\-.]")
_PURPOSE = "one-time-code"

# The reads every turn makes, built once (building a statement costs about as much as running it).
_NEWEST_FIRST = (
    select(OneTimeCode).where(OneTimeCode.recovery_id == bindparam("recovery_id")).order_by(OneTimeCode.id.desc())
)
_LATEST_BY_METHOD = _NEWEST_FIRST.where(OneTimeCode.method == bindparam("method")).limit(1)
_OPEN_CODE = _NEWEST_FIRST.where(~OneTimeCode.revoked, OneTimeCode.used_at.is_(None)).limit(1)
_INSERT = insert(table_of(OneTimeCode))  # Core in the caller's transaction: no unit-of-work flush for one row
_TRIES_BY_METHOD = (
    select(OneTimeCode.method, OneTimeCode.used_at, OneTimeCode.attempts)
    .where(OneTimeCode.recovery_id == bindparam("recovery_id"))
    .order_by(OneTimeCode.id.desc())
)


def clean_code(text: str) -> str:
    """ "123 456" and "123-456" are "123456"."""
    return _SEPARATORS.sub("", text)


class CodeBook:
    def __init__(self, keyed: KeyedHasher, *, digits: int, ttl_seconds: int, max_attempts: int) -> None:
        self._keyed = keyed
        self.digits = digits
        self.ttl = timedelta(seconds=ttl_seconds)
        self.max_attempts = max_attempts

    def issue(self, session: Session, recovery: Recovery, method: Method, now: datetime) -> str:
        """A new code for `recovery`, replacing any open one. Returns the code (to send, never to keep).

        A resend by the same method inherits the tries already spent, so resending never buys more guesses.
        """
        previous = self._latest(session, recovery.id, method)
        spent = previous.attempts if previous is not None and previous.used_at is None else 0
        self.revoke_open(session, recovery_ids=[recovery.id])
        code = "".join(secrets.choice("0123456789") for _ in range(self.digits))
        hashed = self._keyed.digest(code, purpose=_PURPOSE)
        row = {"recovery_id": recovery.id, "subject": recovery.subject, "method": method.value, "code_hash": hashed}
        session.connection().execute(
            _INSERT, {**row, "attempts": spent, "created_at": now, "expires_at": now + self.ttl}
        )
        return code

    def check(
        self, session: Session, recovery: Recovery, typed: str, now: datetime, *, can_succeed: bool
    ) -> tuple[CheckStatus, int | None, Method | None]:
        """Judge `typed` against the open code. `can_succeed` is False for unknown accounts, which are
        judged by the same steps but never pass. Returns (status, tries left, method of the code)."""
        code = clean_code(typed)
        if not (code.isascii() and code.isdigit() and len(code) == self.digits):
            return CheckStatus.MALFORMED, None, None
        row = session.scalars(_OPEN_CODE, {"recovery_id": recovery.id}).first()
        if row is None:
            return CheckStatus.NO_CODE, None, None
        method = Method(row.method)
        if now >= row.expires_at:
            return CheckStatus.EXPIRED, None, method
        if row.attempts >= self.max_attempts:
            return CheckStatus.USED_UP, 0, method
        right = self._keyed.matches(row.code_hash, code, purpose=_PURPOSE) and can_succeed
        if right:
            used = session.execute(
                update(OneTimeCode)
                .where(
                    OneTimeCode.id == row.id,
                    OneTimeCode.used_at.is_(None),
                    ~OneTimeCode.revoked,
                    OneTimeCode.attempts < self.max_attempts,
                )
                .values(used_at=now)
            )
            # rowcount 0: another request used it (or spent the last try) a moment ago.
            return (
                (CheckStatus.VERIFIED, None, method) if rows_changed(used) == 1 else (CheckStatus.NO_CODE, None, None)
            )
        spent = session.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == row.id, OneTimeCode.attempts < self.max_attempts)
            .values(attempts=OneTimeCode.attempts + 1)
        )
        if rows_changed(spent) == 0:
            return CheckStatus.USED_UP, 0, method
        session.refresh(row, ["attempts"])
        return CheckStatus.WRONG, max(self.max_attempts - row.attempts, 0), method

    def revoke_open(
        self, session: Session, *, recovery_ids: list[str] | None = None, account_id: int | None = None
    ) -> None:
        """Close every unused code of these recoveries, or of every recovery of `account_id`."""
        query = update(OneTimeCode).where(OneTimeCode.used_at.is_(None), ~OneTimeCode.revoked)
        if account_id is not None:
            owned = select(Recovery.id).where(Recovery.account_id == account_id)
            query = query.where(OneTimeCode.recovery_id.in_(owned))
        else:
            query = query.where(OneTimeCode.recovery_id.in_(recovery_ids or []))
        session.execute(query.values(revoked=True))

    def exhausted_methods(self, session: Session, recovery_id: str) -> set[Method]:
        """Methods whose latest code in this recovery has had all its tries and was never used."""
        # A recovery holds a handful of codes (sends are capped per hour): newest first, first per method wins.
        rows = session.execute(_TRIES_BY_METHOD, {"recovery_id": recovery_id})
        latest: dict[str, bool] = {}
        for method, used_at, attempts in rows:
            latest.setdefault(method, used_at is None and attempts >= self.max_attempts)
        return {Method(method) for method, exhausted in latest.items() if exhausted}

    def discard(self, session: Session, recovery: Recovery) -> None:
        """Forget the newest code after its delivery failed: it was never seen, so it must not count."""
        latest = session.scalars(_NEWEST_FIRST.limit(1), {"recovery_id": recovery.id}).first()
        if latest is not None:
            session.delete(latest)

    @staticmethod
    def _latest(session: Session, recovery_id: str, method: Method) -> OneTimeCode | None:
        return session.scalars(_LATEST_BY_METHOD, {"recovery_id": recovery_id, "method": method.value}).first()
