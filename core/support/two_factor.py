"""TOTP two-factor for agents (RFC 6238 through pyotp: 6 digits, 30-second steps).

The secret is stored sealed with AES-GCM under a key derived from SECRET_KEY and bound to the agent's row,
so a database copy alone does not give the codes. A code is accepted once: using it records its time step,
and a later code must be from a newer step (an atomic conditional UPDATE, so two requests racing with one
code cannot both win).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import UTC

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import or_, update

from core.clock import Clock
from core.storage.db import Database, rows_changed
from core.storage.models import Agent

__all__ = ["AgentTwoFactor", "Enrollment", "SecretBox"]

STEP_SECONDS = 30
_DRIFT_STEPS = 1  # a code from the step before or after is accepted too (clock drift, typing time)


@dataclass(frozen=True, slots=True)
class Enrollment:
    """What the agent types or scans into an authenticator app. Shown once, never logged."""

    secret: str
    uri: str


class SecretBox:
    """AES-GCM with a key derived from SECRET_KEY; `context` (the agent id) is authenticated data."""

    _PREFIX = "v1."

    def __init__(self, secret_key: str) -> None:
        key = hmac.new(secret_key.encode(), b"resetdesk agent totp seal v1", hashlib.sha256).digest()
        self._aead = AESGCM(key)

    def seal(self, plain: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode(), context.encode())
        return self._PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> str | None:
        """The plain text, or None when it was sealed under another key or for another context."""
        if not sealed.startswith(self._PREFIX):
            return None
        raw = base64.urlsafe_b64decode(sealed[len(self._PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag:
            return None


class AgentTwoFactor:
    def __init__(self, database: Database, clock: Clock, secret_key: str, *, issuer: str = "ResetDesk") -> None:
        self._db = database
        self._clock = clock
        self._box = SecretBox(secret_key)
        self._issuer = issuer

    def enroll(self, agent_id: int, *, confirmed: bool) -> Enrollment:
        """A new secret for the agent, replacing any other. `confirmed` when it is handed over out of band
        (create-agent prints it); otherwise the first good code confirms it."""
        secret = pyotp.random_base32()
        with self._db.transaction() as session:
            agent = session.get(Agent, agent_id)
            if agent is None:
                raise ValueError("no such agent")
            agent.totp_secret = self._box.seal(secret, _context(agent_id))
            agent.totp_confirmed, agent.totp_last_step = confirmed, None
            username = agent.username
        return Enrollment(secret, pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=self._issuer))

    def is_enrolled(self, agent_id: int) -> bool:
        with self._db.transaction() as session:
            agent = session.get(Agent, agent_id)
            return bool(agent and agent.totp_secret and agent.totp_confirmed)

    def pending(self, agent_id: int) -> Enrollment:
        """The unconfirmed enrollment to show at first sign-in (made now if there is none yet)."""
        with self._db.transaction() as session:
            agent = session.get(Agent, agent_id)
            sealed, username = (agent.totp_secret, agent.username) if agent else (None, "")
        secret = self._box.open(sealed, _context(agent_id)) if sealed else None
        if secret is None:
            return self.enroll(agent_id, confirmed=False)
        return Enrollment(secret, pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=self._issuer))

    def verify(self, agent_id: int, code: str) -> bool:
        """True once for a right code; the same code (or an older one) is refused afterwards."""
        code = "".join(code.split())
        with self._db.transaction() as session:
            agent = session.get(Agent, agent_id)
            sealed = agent.totp_secret if agent is not None else None
        secret = self._box.open(sealed, _context(agent_id)) if sealed else None
        if secret is None or len(code) != 6 or not code.isascii() or not code.isdigit():
            return False
        totp = pyotp.TOTP(secret)
        now_step = int(self._clock.now().replace(tzinfo=UTC).timestamp()) // STEP_SECONDS
        matched = [
            step
            for step in range(now_step - _DRIFT_STEPS, now_step + _DRIFT_STEPS + 1)
            if hmac.compare_digest(totp.at(step * STEP_SECONDS), code)
        ]
        if not matched:
            return False
        step = matched[-1]
        with self._db.transaction() as session:
            used = session.execute(
                update(Agent)
                .where(Agent.id == agent_id, or_(Agent.totp_last_step.is_(None), Agent.totp_last_step < step))
                .values(totp_last_step=step, totp_confirmed=True)
            )
            return rows_changed(used) == 1


def _context(agent_id: int) -> str:
    return f"agent:{agent_id}"
