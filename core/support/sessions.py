"""Server-side sessions for the agents' console.

The browser holds only a random id (256 bits); the table keeps its SHA-256, so a copy of the table is no use
as cookies. A session ends at logout (revoked), after `idle` without activity, or `lifetime` after sign-in,
whichever comes first. Every check also re-reads the agent, so a disabled agent cannot act mid-session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from core.audit import Audit
from core.clock import Clock
from core.storage.db import Database, rows_changed
from core.storage.models import Agent, AgentSession
from core.support.desk import AgentInfo

__all__ = ["AgentSessions"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AgentSessions:
    def __init__(self, database: Database, clock: Clock, *, idle: timedelta, lifetime: timedelta) -> None:
        self._db = database
        self._clock = clock
        self.idle = idle
        self.lifetime = lifetime
        self._audit = Audit(clock)

    def start(self, agent: AgentInfo) -> str:
        """A new session for a fully signed-in agent; returns the id for the cookie (shown nowhere else)."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._db.transaction() as session:
            session.add(AgentSession(token_hash=_digest(token), agent_id=agent.id, created_at=now, last_seen_at=now))
            self._audit.record(session, "agent.session_started", actor=f"agent:{agent.username}")
        return token

    def check(self, token: str | None, *, touch: bool = True) -> AgentInfo | None:
        """The agent of a live session, or None. `touch` counts this request as activity (background polls
        do not, so an unattended console still times out)."""
        if not token or len(token) > 100:
            return None
        now = self._clock.now()
        live = (
            (AgentSession.token_hash == _digest(token))
            & AgentSession.revoked_at.is_(None)
            & (AgentSession.last_seen_at > now - self.idle)
            & (AgentSession.created_at > now - self.lifetime)
        )
        with self._db.transaction() as session:
            # One conditional UPDATE: a session revoked or expired a moment ago is not revived.
            touched = update(AgentSession).where(live).values(last_seen_at=now)
            if touch and rows_changed(session.execute(touched)) != 1:
                return None
            agent = session.execute(
                select(Agent).join(AgentSession, AgentSession.agent_id == Agent.id).where(live, Agent.active)
            ).scalar_one_or_none()
            return AgentInfo.of(agent) if agent is not None else None

    def revoke(self, token: str | None) -> None:
        """Logout: the id is refused from now on, whoever holds a copy."""
        if not token:
            return
        with self._db.transaction() as session:
            session.execute(
                update(AgentSession)
                .where(AgentSession.token_hash == _digest(token), AgentSession.revoked_at.is_(None))
                .values(revoked_at=self._clock.now())
            )

    def revoke_agent(self, agent_id: int) -> int:
        """End every session of an agent (disabled, lost device); returns how many were live."""
        with self._db.transaction() as session:
            result = session.execute(
                update(AgentSession)
                .where(AgentSession.agent_id == agent_id, AgentSession.revoked_at.is_(None))
                .values(revoked_at=self._clock.now())
            )
            return rows_changed(result)
