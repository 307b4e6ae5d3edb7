"""Hashing of secrets: argon2id for what people choose (passwords, answers), keyed HMAC for what we
generate (codes and reset tokens are random, so a fast keyed hash is enough and lets us look them up)."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["KeyedHasher", "SlowHasher"]


class SlowHasher:
    """argon2id with the configured cost."""

    def __init__(self, *, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when there is nothing real to check, so unknown accounts cost the same time.
        self._decoy = self._hasher.hash("resetdesk-decoy")

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._decoy, secret) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def burn(self) -> None:
        """Spend one verification's time on nothing (timing equaliser)."""
        self.verify(None, "resetdesk-decoy-attempt")


class KeyedHasher:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, value: str, *, purpose: str) -> str:
        """HMAC-SHA256 hex; `purpose` separates domains so a code hash never equals a token hash."""
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def matches(self, stored: str, value: str, *, purpose: str) -> bool:
        return hmac.compare_digest(stored, self.digest(value, purpose=purpose))
