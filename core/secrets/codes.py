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

from core.secrets.hashing import KeyedHasher
from core.storage.db import rows_changed
from core.storage.models import OneTimeCode, Recovery, table_of
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
# Writes are Core statements on the table, run on the caller's transaction: an ORM-enabled UPDATE built per
# call cost about four times as much (construction plus session synchronisation), and no caller reads the
# changed rows back through the session.
_CODES = table_of(OneTimeCode)
_INSERT = insert(_CODES)
_OPEN = (_CODES.c.used_at.is_(None), ~_CODES.c.revoked)
_MARK_USED = (
    update(_CODES)
    .where(_CODES.c.id == bindparam("code_id"), *_OPEN, _CODES.c.attempts < bindparam("max_attempts"))
    .values(used_at=bindparam("used_now"))
)
_SPEND_TRY = (
    update(_CODES)
    .where(_CODES.c.id == bindparam("code_id"), _CODES.c.attempts < bindparam("max_attempts"))
    .values(attempts=_CODES.c.attempts + 1)
    .returning(_CODES.c.attempts)
)
_REVOKE_FOR_RECOVERIES = (
    update(_CODES)
    .where(*_OPEN, _CODES.c.recovery_id.in_(bindparam("recovery_ids", expanding=True)))
    .values(revoked=True)
)
_REVOKE_FOR_ACCOUNT = (
    update(_CODES)
    .where(*_OPEN, _CODES.c.recovery_id.in_(select(Recovery.id).where(Recovery.account_id == bindparam("account_id"))))
    .values(revoked=True)
)
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
        this_code = {"code_id": row.id, "max_attempts": self.max_attempts}
        connection = session.connection()
        if right:
            used = connection.execute(_MARK_USED, {**this_code, "used_now": now})
            # rowcount 0: another request used it (or spent the last try) a moment ago.
            return (
                (CheckStatus.VERIFIED, None, method) if rows_changed(used) == 1 else (CheckStatus.NO_CODE, None, None)
            )
        attempts = connection.execute(_SPEND_TRY, this_code).scalar()
        if attempts is None:
            return CheckStatus.USED_UP, 0, method
        return CheckStatus.WRONG, max(self.max_attempts - attempts, 0), method

    def revoke_open(
        self, session: Session, *, recovery_ids: list[str] | None = None, account_id: int | None = None
    ) -> None:
        """Close every unused code of these recoveries, or of every recovery of `account_id`."""
        if account_id is not None:
            session.connection().execute(_REVOKE_FOR_ACCOUNT, {"account_id": account_id})
        else:
            session.connection().execute(_REVOKE_FOR_RECOVERIES, {"recovery_ids": recovery_ids or []})

    def pending(self, session: Session, recovery_id: str, method: Method, now: datetime) -> bool:
        """Whether this recovery's open code was sent by `method` and can still be typed (not expired, tries
        left): then a "too soon" can tell the person to type the code they hold."""
        row = session.scalars(_OPEN_CODE, {"recovery_id": recovery_id}).first()
        return (
            row is not None
            and row.method == method.value
            and now < row.expires_at
            and (row.attempts < self.max_attempts)
        )

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
