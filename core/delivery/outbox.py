"""The outbox: email and SMS kept in the database instead of being sent (demo and development delivery)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from core.clock import Clock
from core.delivery.ports import DeliveryError
from core.storage.db import Database
from core.storage.models import OutboxMessage, table_of

__all__ = ["Outbox", "OutboxEntry"]

_TABLE = table_of(OutboxMessage)
_INSERT = insert(_TABLE)  # Core, built once: one row, no unit of work
_COLUMNS = (_TABLE.c.id, _TABLE.c.kind, _TABLE.c.recipient, _TABLE.c.subject, _TABLE.c.body, _TABLE.c.created_at)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One kept message, as the demo page and the terminal chat show it."""

    id: int
    kind: str
    recipient: str
    subject: str
    body: str
    created_at: datetime


class Outbox:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def keep(self, kind: str, recipient: str, body: str, subject: str = "") -> None:
        """Store one message, shown on the demo outbox page; DeliveryError if the database refuses it."""
        try:
            row = {"kind": kind, "recipient": recipient, "subject": subject, "body": body}
            with self._database.engine.begin() as connection:
                connection.execute(_INSERT, {**row, "created_at": self._clock.now()})
        except SQLAlchemyError as exc:
            # SQLAlchemy errors quote the statement parameters, body included: do not chain.
            raise DeliveryError(kind, f"outbox write failed ({type(exc).__name__})") from None

    def recent(self, limit: int = 100) -> list[OutboxEntry]:
        """The newest messages, newest first (the demo outbox page)."""
        query = select(*_COLUMNS).order_by(_TABLE.c.id.desc()).limit(limit)
        with self._database.engine.connect() as connection:
            return [OutboxEntry(*row) for row in connection.execute(query)]

    def after(self, entry_id: int) -> list[OutboxEntry]:
        """Messages kept after `entry_id`, oldest first (the terminal chat prints new ones after each turn)."""
        query = select(*_COLUMNS).where(_TABLE.c.id > entry_id).order_by(_TABLE.c.id)
        with self._database.engine.connect() as connection:
            return [OutboxEntry(*row) for row in connection.execute(query)]

    def newest_id(self) -> int:
        with self._database.engine.connect() as connection:
            return connection.execute(select(func.max(_TABLE.c.id))).scalar() or 0
