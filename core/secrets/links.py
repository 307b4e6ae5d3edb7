"""Reset links: a 256-bit token in the URL, only its keyed hash stored; single use by a conditional UPDATE."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from core.secrets.hashing import KeyedHasher
from core.storage.db import rows_changed
from core.storage.models import ResetToken, table_of

__all__ = ["LinkBook"]

_PURPOSE = "reset-token"
# Writes are Core statements on the table, run on the caller's transaction (see core/secrets/codes.py for why).
_TOKENS = table_of(ResetToken)
_INSERT = insert(_TOKENS)
_OPEN = (_TOKENS.c.used_at.is_(None), ~_TOKENS.c.revoked)
_CONSUME = (
    update(_TOKENS)
    .where(_TOKENS.c.id == bindparam("token_id"), *_OPEN, _TOKENS.c.expires_at > bindparam("now"))
    .values(used_at=bindparam("now"))
)
_ISSUED_FOR_RECOVERY = select(func.count()).where(_TOKENS.c.recovery_id == bindparam("recovery_id"))
_RELEASE = update(_TOKENS).where(_TOKENS.c.id == bindparam("token_id")).values(used_at=None)
_REVOKE_FOR_ACCOUNT = update(_TOKENS).where(_TOKENS.c.account_id == bindparam("owner"), *_OPEN).values(revoked=True)
_REVOKE_FOR_RECOVERY = update(_TOKENS).where(_TOKENS.c.recovery_id == bindparam("owner"), *_OPEN).values(revoked=True)


class LinkBook:
    def __init__(self, keyed: KeyedHasher, *, public_url: str, ttl_seconds: int) -> None:
        self._keyed = keyed
        # Built from configuration only: a Host header must never decide where a reset link points.
        self._base = public_url.rstrip("/") + "/reset/"
        self.ttl = timedelta(seconds=ttl_seconds)

    def issue(
        self, session: Session, *, account_id: int, recovery_id: str | None, now: datetime
    ) -> tuple[str, datetime]:
        """A new link for the account; older open links stop working. Returns (url, expires_at)."""
        self.revoke_open(session, account_id=account_id)
        token = secrets.token_urlsafe(32)
        expires_at = now + self.ttl
        row = {"token_hash": self._keyed.digest(token, purpose=_PURPOSE), "account_id": account_id}
        session.connection().execute(
            _INSERT, {**row, "recovery_id": recovery_id, "created_at": now, "expires_at": expires_at, "revoked": False}
        )
        return self._base + token, expires_at

    def issued_for(self, session: Session, recovery_id: str) -> int:
        """How many links this recovery has had (used, revoked or open)."""
        return int(session.connection().execute(_ISSUED_FOR_RECOVERY, {"recovery_id": recovery_id}).scalar() or 0)

    def find(self, session: Session, token: str) -> ResetToken | None:
        """The link's row whatever its state (used, revoked, expired); find_valid for one that still works."""
        return session.scalars(
            select(ResetToken).where(ResetToken.token_hash == self._keyed.digest(token, purpose=_PURPOSE))
        ).first()

    def find_valid(self, session: Session, token: str, now: datetime) -> ResetToken | None:
        row = self.find(session, token)
        if row is None or row.used_at is not None or row.revoked or now >= row.expires_at:
            return None
        return row

    def consume(self, session: Session, row: ResetToken, now: datetime) -> bool:
        """Mark used if still usable. Exactly one of any number of concurrent callers gets True."""
        return rows_changed(session.connection().execute(_CONSUME, {"token_id": row.id, "now": now})) == 1

    def release(self, session: Session, row_id: int) -> None:
        """Undo `consume` when the password could not be saved, so the person can try again."""
        session.connection().execute(_RELEASE, {"token_id": row_id})

    def revoke_open(self, session: Session, *, account_id: int | None = None, recovery_id: str | None = None) -> None:
        """Close the open links of an account, or only those one recovery issued."""
        if recovery_id is None:
            session.connection().execute(_REVOKE_FOR_ACCOUNT, {"owner": account_id})
        else:
            session.connection().execute(_REVOKE_FOR_RECOVERY, {"owner": recovery_id})
