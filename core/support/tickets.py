"""Hand-off tickets: one per hand-off, carrying the redacted transcript so nobody repeats themselves."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.storage.models import HandoffTicket, TicketMessage
from core.support.system_lines import LEFT, line
from core.types import HandoffReason, Requester, Ticket

__all__ = ["add_person_message", "close_by_person", "open_ticket", "open_ticket_of", "queue_position"]

# No 0/O, 1/I/L: a reference is read aloud over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_reference() -> str:
    return "RD-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def open_ticket(
    session: Session,
    *,
    reason: HandoffReason,
    requester: Requester,
    recovery_id: str | None,
    account_id: int | None,
    transcript: Sequence[dict[str, Any]],
    now: datetime,
) -> Ticket:
    """Open a ticket, or return the person's ticket that is still open (one hand-off, one ticket)."""
    existing = open_ticket_of(session, requester)
    created = existing is None
    if existing is None:
        existing = HandoffTicket(
            reference=_new_reference(),
            reason=reason.value,
            status="open",
            recovery_id=recovery_id,
            account_id=account_id,
            channel=requester.channel,
            channel_user=requester.user_id,
            transcript=list(transcript),
            created_at=now,
            updated_at=now,
        )
        session.add(existing)
        session.flush()
    return Ticket(
        reference=existing.reference,
        reason=HandoffReason(existing.reason),
        position=queue_position(session, existing),
        assigned=existing.status == "assigned",
        created=created,
    )


def open_ticket_of(session: Session, requester: Requester) -> HandoffTicket | None:
    return session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.channel == requester.channel,
            HandoffTicket.channel_user == requester.user_id,
            HandoffTicket.status != "closed",
        )
    ).first()


def queue_position(session: Session, ticket: HandoffTicket) -> int:
    if ticket.status != "open":
        return 0
    ahead = session.scalar(select(func.count()).where(HandoffTicket.status == "open", HandoffTicket.id <= ticket.id))
    return ahead or 1


def add_person_message(session: Session, requester: Requester, text: str, now: datetime) -> HandoffTicket | None:
    """Append what the person said (already redacted) to their open ticket's live chat."""
    ticket = open_ticket_of(session, requester)
    if ticket is not None:
        session.add(TicketMessage(ticket_id=ticket.id, sender="person", text=text, created_at=now))
        ticket.updated_at = now
    return ticket


def close_by_person(session: Session, requester: Requester, now: datetime) -> HandoffTicket | None:
    """The person cancelled or went back to the bot: their ticket closes as "cancelled"."""
    ticket = open_ticket_of(session, requester)
    if ticket is not None:
        ticket.status, ticket.outcome, ticket.closed_at, ticket.updated_at = "closed", "cancelled", now, now
        session.add(
            TicketMessage(ticket_id=ticket.id, sender="system", text=line(LEFT), created_at=now)
        )
    return ticket
