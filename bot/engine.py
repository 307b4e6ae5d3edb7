"""Engine.handle: one inbound message -> its conversation -> the dialog -> replies. The only call channels make."""

from __future__ import annotations

import logging

from bot.commands import global_command
from bot.messages import Inbound, Reply
from bot.store import ConversationBusyError, ConversationConflictError, ConversationRecord, ConversationStore
from bot.transcript import bot_entries, person_entry, trim
from core.clock import Clock
from core.recovery import RecoveryService
from core.types import Requester
from dialogs.prompts import TEXT
from dialogs.recovery import INITIAL, RecoveryDialog

__all__ = ["MAX_MESSAGE_CHARS", "Engine"]

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000


class Engine:
    def __init__(self, service: RecoveryService, store: ConversationStore, clock: Clock) -> None:
        self._service = service
        self._store = store
        self._clock = clock
        self._idle = service.settings.conversation_idle_seconds

    def handle(self, inbound: Inbound) -> list[Reply]:
        text = inbound.text.replace("\x00", "")[:MAX_MESSAGE_CHARS]
        try:
            with self._store.claim(inbound.channel, inbound.user_id) as conversation:
                replies = self._turn(conversation, Requester(inbound.channel, inbound.user_id), text)
        except (ConversationBusyError, ConversationConflictError) as exc:
            log.warning("message not applied (%s); asking the person to send it again", type(exc).__name__)
            return [Reply(TEXT["busy"])]
        return replies

    def _turn(self, conversation: ConversationRecord, requester: Requester, text: str) -> list[Reply]:
        now = self._clock.now()
        at = now.isoformat(timespec="seconds")
        opening: list[Reply] = []
        if self._expired(conversation):
            conversation.state, conversation.slots = INITIAL, {}
            opening.append(Reply(TEXT["expired_session"]))
        expected = conversation.slots.get("expects", "text")
        conversation.transcript.append(person_entry(text, expected=expected, state=conversation.state, at=at))
        dialog = RecoveryDialog(
            self._service, requester, conversation.state, conversation.slots, conversation.transcript
        )
        command = global_command(text)
        replies = opening + (dialog.command(command) if command else dialog.receive(text))
        conversation.state, conversation.slots = dialog.state, dialog.slots
        conversation.slots["expects"] = replies[-1].expects if replies else "text"
        conversation.transcript = trim(conversation.transcript + bot_entries(replies, at=at))
        return replies

    def _expired(self, conversation: ConversationRecord) -> bool:
        if conversation.updated_at is None or conversation.state in (INITIAL, "done"):
            return False
        return (self._clock.now() - conversation.updated_at).total_seconds() > self._idle
