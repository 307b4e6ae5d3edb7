"""Redelivered platform events (Slack retries, a repeated Telegram update_id) are processed once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import ProcessedEvent

__all__ = ["EventLedger"]

KEEP_FOR = timedelta(days=2)  # platforms stop retrying within minutes; ids are kept well beyond that


class EventLedger:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def first_time(self, channel: str, event_id: str) -> bool:
        """Record the event; True only for the first caller, on any worker (the primary key decides)."""
        now = self._clock.now()
        try:
            with self._db.transaction() as session:
                session.add(ProcessedEvent(channel=channel, event_id=event_id[:128], at=now))
                if secrets.randbelow(500) == 0:
                    session.execute(delete(ProcessedEvent).where(ProcessedEvent.at < now - KEEP_FOR))
        except IntegrityError:
            return False
        return True
