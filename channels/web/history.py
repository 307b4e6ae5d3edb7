"""The web chat's message history: what polling clients fetch with ?after=N."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from bot.messages import Reply
from core.clock import Clock
from core.db import Database
from core.models import ChatMessage

__all__ = ["ChatHistory"]

CHANNEL = "web"


class ChatHistory:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def record(
        self, session_id: str, *, person_text: str | None, replies: list[Reply], sender: str = "bot"
    ) -> list[int]:
        """Store a turn; returns the new rows' sequence numbers. Links are stored without their URL."""
        now = self._clock.now()
        rows: list[ChatMessage] = []
        if person_text is not None:
            rows.append(self._row(session_id, "person", Reply(person_text).to_json(), now))
        for reply in replies:
            payload = reply.to_json()
            if payload["link"] is not None:
                payload["link"] = None
                payload["text"] += f' ({reply.link.label if reply.link else "link"}: sent earlier; say "new link")'
            rows.append(self._row(session_id, sender, payload, now))
        with self._db.transaction() as session:
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def after(self, session_id: str, seq: int, *, skip: Collection[int] = ()) -> tuple[list[dict[str, Any]], int]:
        """Messages after `seq` (oldest first, leaving out `skip`), and the newest sequence number."""
        with self._db.transaction() as session:
            rows = session.scalars(
                select(ChatMessage)
                .where(ChatMessage.channel == CHANNEL, ChatMessage.user_id == session_id, ChatMessage.id > seq)
                .order_by(ChatMessage.id)
                .limit(500)
            ).all()
            messages = [{**row.payload, "from": row.sender} for row in rows if row.id not in skip]
            return messages, rows[-1].id if rows else max(seq, 0)

    def exists(self, session_id: str) -> bool:
        with self._db.transaction() as session:
            return self._last_seq(session, session_id) > 0

    @staticmethod
    def _last_seq(session: Any, session_id: str) -> int:
        return (
            session.scalar(
                select(func.max(ChatMessage.id)).where(
                    ChatMessage.channel == CHANNEL, ChatMessage.user_id == session_id
                )
            )
            or 0
        )

    @staticmethod
    def _row(session_id: str, sender: str, payload: dict[str, Any], now: Any) -> ChatMessage:
        return ChatMessage(channel=CHANNEL, user_id=session_id, sender=sender, payload=payload, created_at=now)
