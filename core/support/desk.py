"""The support desk: agents, the ticket queue, taking and closing tickets, the agent side of the live chat.

Agents see the redacted transcript and masked contacts, never a code, answer, token or password. Every
agent action is audited with the agent's name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import Audit
from core.clock import Clock
from core.directory.port import DirectoryBackend
from core.i18n import N_
from core.secrets.hashing import SlowHasher
from core.storage.db import Database, rows_changed
from core.storage.models import Agent, HandoffTicket, Recovery, TicketMessage
from core.support.reasons import reason_words
from core.support.system_lines import CLOSED, JOINED, in_words, line
from core.support.tickets import queue_position
from core.types import Requester

__all__ = ["AgentInfo", "SupportDesk", "TicketError", "TicketView", "mask_email", "mask_phone"]

OUTCOMES = ("resolved", "unresolved", "returned")


class TicketError(Exception):
    """The ticket is unknown, closed, or another agent's; the message (a catalog msgid) says which, for the
    console to show in the agent's language."""


@dataclass(frozen=True, slots=True)
class AgentInfo:
    id: int
    username: str
    display_name: str
    admin: bool = False  # the admin role: the reports page

    @classmethod
    def of(cls, agent: Agent) -> AgentInfo:
        return cls(agent.id, agent.username, agent.display_name, agent.is_admin)


@dataclass(frozen=True, slots=True)
class TicketView:
    reference: str
    reason: str
    reason_text: str  # the reason in words, for the console
    status: str
    outcome: str | None
    channel: str
    requester: Requester
    recovery_handle: str | None
    position: int
    agent_id: int | None
    agent_name: str | None
    created_at: datetime
    employee: dict[str, str] | None  # employee_id, name, masked email and phone
    contact_methods: tuple[str, ...]  # "email", "sms": what an agent may send a code to
    reset_completed_at: datetime | None  # the account's password was reset (or unlocked) after the hand-off
    transcript: list[dict[str, Any]]
    messages: list[dict[str, Any]]  # {"id", "sender", "text", "at"}

    @property
    def reset_state(self) -> str:
        """For the console: whether the person's password was reset (or account unlocked) since the hand-off."""
        if self.reset_completed_at is None:
            return "Not done yet"
        return f"Completed {self.reset_completed_at.strftime('%Y-%m-%d %H:%M')} UTC"


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return "none on file"
    local, domain = email.split("@", 1)
    return f"{local[:1]}•••@{domain}"


def mask_phone(phone: str | None) -> str:
    return f"•••• {phone[-4:]}" if phone and len(phone) >= 4 else "none on file"


class SupportDesk:
    def __init__(self, database: Database, clock: Clock, hasher: SlowHasher, directory: DirectoryBackend) -> None:
        self._db = database
        self._clock = clock
        self._hasher = hasher
        self._directory = directory
        self._audit = Audit(clock)

    # -- agents ---------------------------------------------------------------------------------------------

    def create_agent(self, username: str, display_name: str, password: str, *, admin: bool = False) -> AgentInfo:
        username = username.strip().casefold()
        if not username or len(password) < 12:
            raise ValueError("an agent needs a username and a password of at least 12 characters")
        try:
            with self._db.transaction() as session:
                agent = Agent(
                    username=username,
                    display_name=display_name.strip() or username,
                    password_hash=self._hasher.hash(password),
                    is_admin=admin,
                    created_at=self._clock.now(),
                )
                session.add(agent)
                session.flush()
                self._audit.record(session, "agent.created", actor="admin", username=username, admin=admin)
                return AgentInfo.of(agent)
        except IntegrityError:
            raise ValueError(f"an agent named {username!r} already exists") from None

    def authenticate(self, username: str, password: str) -> AgentInfo | None:
        with self._db.transaction() as session:
            agent = session.scalars(select(Agent).where(Agent.username == username.strip().casefold())).first()
            stored = agent.password_hash if agent is not None and agent.active else None
            info = AgentInfo.of(agent) if agent is not None else None
        ok = self._hasher.verify(stored, password)  # a decoy hash when unknown: same time either way
        # Only a known agent's name is recorded: what was typed may be a password in the wrong box.
        actor = f"agent:{info.username}" if info is not None else "agent:unknown"
        with self._db.transaction() as session:
            self._audit.record(session, "agent.sign_in", actor=actor, success=ok)
        return info if ok else None

    def agent(self, agent_id: int) -> AgentInfo | None:
        with self._db.transaction() as session:
            agent = session.get(Agent, agent_id)
            return AgentInfo.of(agent) if agent and agent.active else None

    # -- the queue ------------------------------------------------------------------------------------------

    def queue(self) -> list[dict[str, Any]]:
        """Open and taken tickets, oldest first, for the console's live list."""
        with self._db.transaction() as session:
            tickets = session.scalars(
                select(HandoffTicket).where(HandoffTicket.status != "closed").order_by(HandoffTicket.id)
            ).all()
            names = {a.id: a.display_name for a in session.scalars(select(Agent))}
            return [
                {
                    "reference": t.reference,
                    "reason": t.reason,
                    "reason_text": reason_words(t.reason),
                    "status": t.status,
                    "channel": t.channel,
                    "agent": names.get(t.agent_id) if t.agent_id else None,
                    "waiting_since": t.created_at.isoformat(timespec="seconds") + "Z",
                }
                for t in tickets
            ]

    def view(self, reference: str, *, after: int = 0) -> TicketView:
        with self._db.transaction() as session:
            ticket = self._ticket(session, reference)
            agent = session.get(Agent, ticket.agent_id) if ticket.agent_id else None
            messages = session.scalars(
                select(TicketMessage)
                .where(TicketMessage.ticket_id == ticket.id, TicketMessage.id > after)
                .order_by(TicketMessage.id)
            ).all()
            view = TicketView(
                reference=ticket.reference,
                reason=ticket.reason,
                reason_text=reason_words(ticket.reason),
                status=ticket.status,
                outcome=ticket.outcome,
                channel=ticket.channel,
                requester=Requester(ticket.channel, ticket.channel_user),
                recovery_handle=ticket.recovery_id,
                position=queue_position(session, ticket),
                agent_id=ticket.agent_id,
                agent_name=agent.display_name if agent else None,
                created_at=ticket.created_at,
                employee=None,
                contact_methods=(),
                reset_completed_at=_reset_completed_at(session, ticket),
                transcript=list(ticket.transcript),
                messages=[
                    {
                        "id": m.id,
                        "sender": m.sender,
                        "text": _shown(m),
                        "at": m.created_at.isoformat(timespec="seconds"),
                    }
                    for m in messages
                ],
            )
            account_id = ticket.account_id
        account = self._directory.get(account_id) if account_id is not None else None
        if account is None:
            return view
        employee = {
            "employee_id": account.employee_id,
            "name": account.full_name,
            "email": mask_email(account.email),
            "phone": mask_phone(account.phone),
            "locked": "yes" if account.locked else "no",
        }
        methods = tuple(name for name, on_file in (("email", account.email), ("sms", account.phone)) if on_file)
        return replace(view, employee=employee, contact_methods=methods)

    # -- actions --------------------------------------------------------------------------------------------

    def take(self, reference: str, agent: AgentInfo) -> bool:
        """Assign an open ticket to `agent`. Of several agents taking one ticket at once, exactly one wins."""
        now = self._clock.now()
        with self._db.transaction() as session:
            taken = session.execute(
                update(HandoffTicket)
                .where(HandoffTicket.reference == reference, HandoffTicket.status == "open")
                .values(status="assigned", agent_id=agent.id, updated_at=now)
            )
            if rows_changed(taken) != 1:
                return False
            ticket = self._ticket(session, reference)
            self._system_line(session, ticket, line(JOINED, agent=agent.display_name), now)
            self._record(session, "agent.took_ticket", agent, ticket)
        return True

    def say(self, reference: str, agent: AgentInfo, text: str) -> Requester:
        """Record the agent's message on the ticket; returns who should receive it."""
        text = text.strip()
        if not text:
            raise TicketError(N_("Type a message first."))
        with self._db.transaction() as session:
            ticket = self._owned(session, reference, agent)
            session.add(
                TicketMessage(ticket_id=ticket.id, sender="agent", text=text[:4000], created_at=self._clock.now())
            )
            return Requester(ticket.channel, ticket.channel_user)

    def close(self, reference: str, agent: AgentInfo, outcome: str) -> Requester:
        """Close the ticket (resolved, unresolved) or hand the person back to the bot (returned)."""
        if outcome not in OUTCOMES:
            raise TicketError(N_("Choose how to close the ticket: resolved, not resolved, or back to the bot."))
        now = self._clock.now()
        with self._db.transaction() as session:
            ticket = self._owned(session, reference, agent)
            ticket.status, ticket.outcome, ticket.closed_at, ticket.updated_at = "closed", outcome, now, now
            self._system_line(session, ticket, line(CLOSED, agent=agent.display_name, outcome=outcome), now)
            self._record(session, "agent.closed_ticket", agent, ticket, outcome=outcome)
            return Requester(ticket.channel, ticket.channel_user)

    def owned_recovery(self, reference: str, agent: AgentInfo) -> tuple[str, Requester]:
        """The recovery handle of a ticket the agent holds, for the agent actions in RecoveryService."""
        with self._db.transaction() as session:
            ticket = self._owned(session, reference, agent)
            if ticket.recovery_id is None or ticket.account_id is None:
                raise TicketError(N_("This person has not named a known account yet; ask them to give it to the bot."))
            return ticket.recovery_id, Requester(ticket.channel, ticket.channel_user)

    def note(self, reference: str, text: str) -> None:
        """A system line on the ticket's chat (e.g. "a reset link was sent")."""
        with self._db.transaction() as session:
            self._system_line(session, self._ticket(session, reference), text, self._clock.now())

    # -- helpers --------------------------------------------------------------------------------------------

    @staticmethod
    def _ticket(session: Session, reference: str) -> HandoffTicket:
        ticket = session.scalars(select(HandoffTicket).where(HandoffTicket.reference == reference)).first()
        if ticket is None:
            raise TicketError(N_("No such ticket."))
        return ticket

    def _owned(self, session: Session, reference: str, agent: AgentInfo) -> HandoffTicket:
        ticket = self._ticket(session, reference)
        if ticket.status == "closed":
            raise TicketError(N_("This ticket is closed."))
        if ticket.agent_id != agent.id:
            raise TicketError(N_("Take the ticket first; it may be another agent's."))
        return ticket

    @staticmethod
    def _system_line(session: Session, ticket: HandoffTicket, text: str, now: datetime) -> None:
        session.add(TicketMessage(ticket_id=ticket.id, sender="system", text=text, created_at=now))

    def _record(self, session: Session, event: str, agent: AgentInfo, ticket: HandoffTicket, **detail: Any) -> None:
        self._audit.record(
            session, event, actor=f"agent:{agent.username}", account_id=ticket.account_id,
            recovery_id=ticket.recovery_id, reference=ticket.reference, **detail,
        )  # fmt: skip


def _shown(message: TicketMessage) -> str:
    """A chat line as the console shows it: system lines in the agent's language, people's words as typed."""
    return in_words(message.text) if message.sender == "system" else message.text


def _reset_completed_at(session: Session, ticket: HandoffTicket) -> datetime | None:
    """When the ticket's account last completed a reset or unlock since the hand-off (by a link an agent
    sent, or by the bot after the person was returned to it); None if it has not."""
    if ticket.account_id is None:
        return None
    return session.scalar(
        select(Recovery.completed_at)
        .where(Recovery.account_id == ticket.account_id, Recovery.completed_at >= ticket.created_at)
        .order_by(Recovery.completed_at.desc())
        .limit(1)
    )
