"""The outbox: email and SMS kept in the database instead of being sent (demo and development delivery)."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from core.clock import Clock
from core.delivery.ports import DeliveryError
from core.storage.db import Database
from core.storage.models import OutboxMessage, table_of

__all__ = ["Outbox"]

_TABLE = table_of(OutboxMessage)
_INSERT = insert(_TABLE)  # Core, built once: one row, no unit of work


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
