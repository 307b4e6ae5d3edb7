"""Sealing queued messages at rest: AES-256-GCM with a key derived from the secret key (HKDF-SHA256).

A queued job holds a one-time code until it is sent, so a database dump or backup must not show it.
"""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["PayloadSeal", "SealError"]

_INFO = b"resetdesk/delivery-payload/v1"
_NONCE_BYTES = 12


class SealError(Exception):
    """A payload that does not open with this key (another secret key, or tampered with)."""


class PayloadSeal:
    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, fields: dict[str, str], *, context: str) -> bytes:
        """`context` (the job's kind) is bound as associated data: a payload cannot be moved to another kind."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, json.dumps(fields).encode(), context.encode())

    def open(self, sealed: bytes, *, context: str) -> dict[str, str]:
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError):
            raise SealError("payload does not open with this key") from None
        fields = json.loads(plain)
        assert isinstance(fields, dict)
        return {str(k): str(v) for k, v in fields.items()}
