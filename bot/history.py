"""A channel's message history, kept for channels whose clients fetch it (the web chat polls with ?after=N).

The store behind the web channel: channels/web reads and writes history through this class only."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, insert, select

from bot.messages import Reply, without_link
from core.clock import Clock
from core.storage.db import Database
from core.storage.models import ChatMessage, table_of

__all__ = ["ChatHistory"]

_TABLE = table_of(ChatMessage)
# Built once (building a statement costs about as much as running it); rows and ids come at execute time.
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_THIS_SESSION = (_TABLE.c.channel == bindparam("channel"), _TABLE.c.user_id == bindparam("session_id"))
_EXISTS = select(_TABLE.c.id).where(*_THIS_SESSION).limit(1)
_AFTER = (
    select(_TABLE.c.id, _TABLE.c.sender, _TABLE.c.payload)
    .where(*_THIS_SESSION, _TABLE.c.id > bindparam("seq"))
    .order_by(_TABLE.c.id)
    .limit(500)
)


class ChatHistory:
    def __init__(self, database: Database, clock: Clock, channel: str) -> None:
        self._db = database
        self._clock = clock
        self._channel = channel

    def record(
        self, session_id: str, *, person_text: str | None, replies: list[Reply], sender: str = "bot"
    ) -> list[int]:
        """Store a turn; returns the new rows' sequence numbers. Links are stored without their URL."""
        now = self._clock.now()
        rows: list[dict[str, Any]] = []
        if person_text is not None:
            rows.append(self._row(session_id, "person", Reply(person_text).to_json(), now))
        for reply in replies:
            payload = reply.to_json()
            if reply.link is not None:
                # The URL holds a token and is never stored: whoever reads this later asks for a fresh link.
                payload = without_link(reply).to_json()
            rows.append(self._row(session_id, sender, payload, now))
        if not rows:
            return []
        # SQLAlchemy Core, one INSERT ... RETURNING for the turn: the ORM's unit of work cost more than the insert.
        with self._db.engine.begin() as connection:
            result = connection.execute(_INSERT, rows)
            return list(result.scalars())

    def after(self, session_id: str, seq: int, *, skip: Collection[int] = ()) -> tuple[list[dict[str, Any]], int]:
        """Messages after `seq` (oldest first, leaving out `skip`), and the newest sequence number."""
        with self._db.engine.connect() as connection:
            rows = connection.execute(_AFTER, {"channel": self._channel, "session_id": session_id, "seq": seq}).all()
        messages = [{**row.payload, "from": row.sender} for row in rows if row.id not in skip]
        return messages, rows[-1].id if rows else max(seq, 0)

    def exists(self, session_id: str) -> bool:
        with self._db.engine.connect() as connection:
            found = connection.execute(_EXISTS, {"channel": self._channel, "session_id": session_id})
            return found.first() is not None

    def _row(self, session_id: str, sender: str, payload: dict[str, Any], now: Any) -> dict[str, Any]:
        return {
            "channel": self._channel,
            "user_id": session_id,
            "sender": sender,
            "payload": payload,
            "created_at": now,
        }
