"""Audit trail: one row per recovery step. Details are facts (method, outcome, reason), never secrets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.clock import Clock
from core.models import AuditEvent

__all__ = ["Audit"]


class Audit:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

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
        session.add(
            AuditEvent(
                at=self._clock.now(),
                event=event,
                actor=actor,
                account_id=account_id,
                recovery_id=recovery_id,
                detail=detail,
            )
        )
