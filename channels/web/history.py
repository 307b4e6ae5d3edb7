"""The web chat's message history: the bot's ChatHistory for the "web" channel, plus live links.

History never keeps a link's URL (it holds a reset token): whoever reads an old link asks for a new one. A
link the bot gives in answer to a message reaches the page in that response; a link pushed later (an agent
sent one from the console) reaches it in the next poll. That one is held until then sealed (AES-GCM, keyed
from the secret key, bound to its row), and the first read takes the seal off the row: the page shows the
link button once, and from then on the row is the plain history form ("Get a new link").
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bot.history import ChatHistory
from bot.messages import Reply, without_link
from core.clock import Clock
from core.delivery.seal import PayloadSeal, SealError
from core.storage.db import Database, rows_changed
from core.storage.models import ChatMessage, table_of

__all__ = ["CHANNEL", "PENDING", "ChatHistory", "WebHistory"]

CHANNEL = "web"
PENDING = "live-link"  # the sender of a row whose link has not reached the page yet

_TABLE = table_of(ChatMessage)
_SEALED = "sealed"  # payload key of the sealed reply while pending
_FROM = "sender"  # payload key of the real sender while pending


def _context(row_id: int) -> str:
    return f"web-live-link:{row_id}"  # a sealed reply opens only on its own row


class WebHistory(ChatHistory):
    def __init__(self, database: Database, clock: Clock, channel: str = CHANNEL, *, secret: bytes) -> None:
        super().__init__(database, clock, channel)
        self._seal = PayloadSeal(secret)

    def hold_link(self, session_id: str, reply: Reply, *, sender: str) -> int:
        """Store a pushed reply that carries a link; the next read delivers it whole, once. A link still held
        for this session is let go first: its token is superseded by this one, so it is kept no longer."""
        kept = without_link(reply).to_json()
        row = {"channel": self._channel, "user_id": session_id, "sender": PENDING, "created_at": self._clock.now()}
        with self._db.engine.begin() as connection:  # one transaction: never visible unsealed or half-written
            self._claim(connection, session_id, 0)
            row_id = int(
                connection.execute(insert(_TABLE).returning(_TABLE.c.id), {**row, "payload": kept}).scalar_one()
            )
            sealed = self._seal.seal({"reply": json.dumps(reply.to_json())}, context=_context(row_id))
            pending = {**kept, _SEALED: base64.b64encode(sealed).decode(), _FROM: sender}
            connection.execute(update(_TABLE).where(_TABLE.c.id == row_id).values(payload=pending))
        return row_id

    def after(self, session_id: str, seq: int, *, skip: Collection[int] = ()) -> tuple[list[dict[str, Any]], int]:
        messages, newest = super().after(session_id, seq, skip=skip)
        if any(m["from"] == PENDING for m in messages):
            messages = self._reveal(session_id, seq, messages)
        return messages, newest

    def _reveal(self, session_id: str, seq: int, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Pending rows: the first reader gets the whole reply; any other (a second tab) the history form."""
        opened = self._take(session_id, seq)
        shown = []
        for message in messages:
            if message["from"] != PENDING:
                shown.append(message)
                continue
            sender = str(message.pop(_FROM, "bot"))
            whole = opened.get(str(message.pop(_SEALED, "")))
            shown.append({**(whole if whole is not None else message), "from": sender})
        return shown

    def _take(self, session_id: str, seq: int) -> dict[str, dict[str, Any]]:
        """Claim this session's pending rows after `seq`; returns the opened replies by their sealed text."""
        opened: dict[str, dict[str, Any]] = {}
        with self._db.engine.begin() as connection:
            for row_id, sealed_text in self._claim(connection, session_id, seq):
                try:
                    sealed = base64.b64decode(sealed_text)
                    opened[sealed_text] = json.loads(self._seal.open(sealed, context=_context(row_id))["reply"])
                except (SealError, ValueError, KeyError):
                    continue  # another secret key: the history form is shown, and "new link" works
        return opened

    def _claim(self, connection: Connection, session_id: str, seq: int) -> list[tuple[int, str]]:
        """Turn this session's pending rows after `seq` into their history form, each by a conditional update
        (of concurrent readers one wins a row); returns (row id, sealed text) of the rows this call won."""
        pending = (
            select(_TABLE.c.id, _TABLE.c.payload)
            .where(_TABLE.c.channel == self._channel, _TABLE.c.user_id == session_id)
            .where(_TABLE.c.id > seq, _TABLE.c.sender == PENDING)
            .order_by(_TABLE.c.id)
        )
        won = []
        for row_id, payload in connection.execute(pending).all():
            kept = {k: v for k, v in payload.items() if k not in (_SEALED, _FROM)}
            claim = update(_TABLE).where(_TABLE.c.id == row_id, _TABLE.c.sender == PENDING)
            if rows_changed(connection.execute(claim.values(sender=payload.get(_FROM, "bot"), payload=kept))) == 1:
                won.append((row_id, str(payload.get(_SEALED, ""))))
        return won
