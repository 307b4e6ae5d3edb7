"""Hand-off tickets: one per hand-off, carrying the redacted transcript so nobody repeats themselves."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import HandoffTicket
from core.types import HandoffReason, Requester, Ticket

__all__ = ["open_ticket"]

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
    existing = session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.channel == requester.channel,
            HandoffTicket.channel_user == requester.user_id,
            HandoffTicket.status != "closed",
        )
    ).first()
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
    position = session.scalar(
        select(func.count()).where(HandoffTicket.status == "open", HandoffTicket.id <= existing.id)
    )
    return Ticket(reference=existing.reference, reason=HandoffReason(existing.reason), position=position or 1)
