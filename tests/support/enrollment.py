"""Reading what enrollment sent (codes, notices, nudges) from the outbox, by recipient."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.storage.models import OutboxMessage
from tests.support.delivery import deliver_queued

__all__ = ["code_sent_to", "messages_to"]


def messages_to(core: object, recipient: str) -> list[str]:
    """Subject and body of every message delivered to `recipient`, oldest first (the queue is delivered first)."""
    deliver_queued(core)
    with core.database.transaction() as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(OutboxMessage.subject, OutboxMessage.body)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id)
        ).all()
    return [f"{subject}\n{body}" for subject, body in rows]


def code_sent_to(core: object, recipient: str) -> str:
    """The code in the newest message to `recipient`."""
    messages = messages_to(core, recipient)
    assert messages, f"nothing was sent to {recipient}"
    match = re.search(r"\b(\d{6,10})\b", messages[-1])
    assert match is not None, messages[-1]
    return match.group(1)
