"""Audit trail: one row per recovery step. Details are facts (method, outcome, reason), never secrets.
A person is named by a keyed pseudonym, never by a chat token or a Slack or Telegram user id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.clock import Clock
from core.secrets.pseudonyms import Pseudonyms
from core.storage.models import AuditEvent, table_of

__all__ = ["Audit"]

_TABLE = table_of(AuditEvent)
# A Core INSERT in the caller's transaction: an ORM object would cost a unit-of-work flush per event.
# (audit_events has no foreign keys, so running it ahead of the session's pending objects is safe.)
_INSERT = insert(_TABLE)


class Audit:
    def __init__(self, clock: Clock, pseudonyms: Pseudonyms | None = None) -> None:
        self._clock = clock
        self._pseudonyms = pseudonyms

    def record(
        self,
        session: Session,
        event: str,
        *,
        actor: str,
        account_id: int | None = None,
        recovery_id: str | None = None,
        **detail: Any,
    ) -> None:
        if self._pseudonyms is not None:
            actor = self._pseudonyms.actor(actor)
        row = {"at": self._clock.now(), "event": event, "actor": actor, "account_id": account_id}
        session.connection().execute(_INSERT, {**row, "recovery_id": recovery_id, "detail": detail})
