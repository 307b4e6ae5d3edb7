"""Who may use the agents' console: sessions, two-factor and the sign-in policy, built from the settings."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from sqlalchemy import update

from core.audit import Audit
from core.clock import Clock
from core.settings import Settings
from core.storage.db import Database, rows_changed
from core.storage.models import Agent
from core.support.desk import SupportDesk
from core.support.sessions import AgentSessions
from core.support.two_factor import AgentTwoFactor

__all__ = ["AgentAccess", "SecondFactor", "build_agent_access", "grant_admin"]

SecondFactor = Literal["none", "code", "enroll"]


@dataclass(frozen=True)
class AgentAccess:
    desk: SupportDesk
    sessions: AgentSessions
    two_factor: AgentTwoFactor
    clock: Clock
    mfa: Literal["required", "optional", "off"]
    sign_ins_per_address: int  # per 5 minutes
    sign_ins_per_account: int  # per 15 minutes
    _throttle_key: bytes = field(repr=False)  # derived from SECRET_KEY: never in a repr or log

    def second_factor(self, agent_id: int) -> SecondFactor:
        """After the right password: nothing more, a TOTP code, or enrolment first (required mode)."""
        if self.mfa == "off":
            return "none"
        if self.two_factor.is_enrolled(agent_id):
            return "code"
        return "enroll" if self.mfa == "required" else "none"

    def account_key(self, username: str) -> str:
        """The per-account rate-limit key: a keyed hash, since what was typed may be a password."""
        name = username.strip().casefold().encode()
        return "agent-account:" + hmac.new(self._throttle_key, name, hashlib.sha256).hexdigest()[:40]


def build_agent_access(settings: Settings, database: Database, clock: Clock, desk: SupportDesk) -> AgentAccess:
    if settings.secret_key is None:
        raise ValueError("the agent console needs RESETDESK_SECRET_KEY")
    key = settings.secret_key.get_secret_value()
    sessions = AgentSessions(
        database,
        clock,
        idle=timedelta(minutes=settings.agent_idle_minutes),
        lifetime=timedelta(hours=settings.agent_session_hours),
    )
    return AgentAccess(
        desk=desk,
        sessions=sessions,
        two_factor=AgentTwoFactor(database, clock, key),
        clock=clock,
        mfa=settings.agent_mfa_mode,
        sign_ins_per_address=settings.agent_sign_ins_per_5_minutes,
        sign_ins_per_account=settings.agent_account_sign_ins_per_15_minutes,
        _throttle_key=hmac.new(key.encode(), b"resetdesk agent sign-in throttle", hashlib.sha256).digest(),
    )


def grant_admin(database: Database, clock: Clock, username: str) -> bool:
    """Give an existing agent the admin role (the reports page); False when there is no such agent."""
    username = username.strip().casefold()
    with database.transaction() as session:
        named = update(Agent).where(Agent.username == username).values(is_admin=True)
        if rows_changed(session.execute(named)) != 1:
            return False
        Audit(clock).record(session, "agent.made_admin", actor="admin", username=username)
    return True
