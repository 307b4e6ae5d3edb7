"""Server-side sessions for the reset page: the first request trades the link's token for a session, so no
later URL (address bar, history, access log, Referer) holds it.

The browser keeps a random 256-bit handle (an HttpOnly cookie). The row is found by the handle's SHA-256 and
holds the token XORed with a SHAKE-256 key stream derived from the handle. Each handle seals exactly one token,
so this is a one-time pad from an extendable-output function: the database alone does not give the token
(reset tokens are stored only hashed elsewhere too), and the cookie alone is not the token either. The
session ends when the token is used, and expires with the link.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import ResetSession

__all__ = ["ResetSessions"]

_MAX_HANDLE = 64  # token_urlsafe(32) is 43 characters; anything longer is not ours
_MAX_TOKEN = 128


def _row_id(handle: str) -> str:
    return hashlib.sha256(b"reset-session-id\x00" + handle.encode()).hexdigest()


def _xor(data: bytes, handle: str) -> bytes:
    stream = hashlib.shake_256(b"reset-session-key\x00" + handle.encode()).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


class ResetSessions:
    def __init__(self, database: Database, clock: Clock, *, ttl_seconds: int) -> None:
        self._db = database
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)

    def open(self, token: str) -> str:
        """Keep `token` server-side; returns the handle for the browser's cookie."""
        if len(token) > _MAX_TOKEN:
            raise ValueError("not a reset token")
        handle = secrets.token_urlsafe(32)
        sealed = base64.urlsafe_b64encode(_xor(token.encode(), handle)).decode()
        now = self._clock.now()
        with self._db.transaction() as session:
            session.add(
                ResetSession(id=_row_id(handle), sealed_token=sealed, created_at=now, expires_at=now + self._ttl)
            )
        return handle

    def token(self, handle: str | None) -> str | None:
        """The token of a live session, or None (no cookie, a forged or expired one, or a closed session)."""
        if not handle or len(handle) > _MAX_HANDLE:
            return None
        with self._db.transaction() as session:
            row = session.get(ResetSession, _row_id(handle))
            if row is None or row.expires_at <= self._clock.now():
                return None
            sealed = row.sealed_token
        try:
            return _xor(base64.urlsafe_b64decode(sealed), handle).decode()
        except (ValueError, UnicodeDecodeError):
            return None

    def close(self, handle: str | None) -> None:
        if handle and len(handle) <= _MAX_HANDLE:
            with self._db.transaction() as session:
                session.execute(delete(ResetSession).where(ResetSession.id == _row_id(handle)))
