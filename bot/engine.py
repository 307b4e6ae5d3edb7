"""The engine: one inbound message -> its conversation -> the dialog -> replies (handle/turn), plus the events
that reach a conversation from outside (open, reset_completed, from_support). Channels call nothing below it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.commands import global_command
from bot.messages import Inbound, Reply
from bot.push import PushDispatcher
from bot.store import ConversationBusyError, ConversationConflictError, ConversationRecord, ConversationStore
from bot.transcript import REDACTED, bot_entries, person_entry, trim
from core.clock import Clock
from core.i18n import DEFAULT_LANGUAGES, negotiate, use_language
from core.recovery.service import RecoveryService
from core.types import Requester, ResetOutcome, ResetStatus
from dialogs.languages import language_request
from dialogs.prompts import TEXT
from dialogs.recovery import RecoveryDialog
from dialogs.slots import Slots
from dialogs.states import INITIAL, NEVER_EXPIRES, RESTING, SECRET_STATES, STATE_EXPECTS, State

__all__ = ["MAX_MESSAGE_CHARS", "Engine", "Turn"]

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[Reply]
    person_text: str  # what the person said, redacted as in the transcript
    answered_secret: bool = False  # it answered a code or secret prompt (a channel may delete it)


class Engine:
    def __init__(
        self,
        service: RecoveryService,
        store: ConversationStore,
        clock: Clock,
        *,
        idle_seconds: int = 30 * 60,
        languages: tuple[str, ...] = DEFAULT_LANGUAGES,
        default_language: str = "en",
    ) -> None:
        self._service = service
        self._store = store
        self._clock = clock
        self._idle = idle_seconds  # app.py passes the conversation_idle_seconds setting (default 30 min)
        self._languages = languages  # the languages and default settings (RESETDESK_LANGUAGES, ..._DEFAULT_LANGUAGE)
        self._default_language = default_language
        self.push = PushDispatcher()

    def language(self, slots: Slots, hint: str | None = None) -> str:
        """The conversation's language: the one it chose (it sticks), else the channel's hint, else the default."""
        return negotiate([slots.get("lang"), hint], self._languages, self._default_language)

    def open(self, channel: str, user_id: str, lang: str | None = None) -> list[Reply]:
        """A channel opened a conversation (the web chat's first load): greet, unless one is under way.
        `lang` is the channel's hint (the page's language, Accept-Language...), used until the person picks one."""
        with self._store.claim(channel, user_id) as conversation:
            if conversation.state not in RESTING:
                return []
            language = self.language(conversation.slots, lang)
            with use_language(language):
                dialog = self._dialog(conversation, Requester(channel, user_id))
                dialog.fire("greet")
                return self._finish(conversation, dialog, dialog.replies, language)

    def reset_completed(self, outcome: ResetOutcome) -> list[Reply]:
        """The reset page finished: confirm in the conversation that issued the link, pushed to its channel."""
        requester = outcome.requester
        if outcome.status is not ResetStatus.DONE or requester is None:
            return []

        def confirm(dialog: RecoveryDialog) -> list[Reply]:
            if dialog.state == State.AWAITING_RESET and dialog.slots.get("handle") == outcome.handle:
                dialog.fire("reset_completed")
            return dialog.replies

        return self.from_support(requester, confirm)

    def handle(self, inbound: Inbound) -> list[Reply]:
        return self.turn(inbound).replies

    def turn(self, inbound: Inbound) -> Turn:
        """Like handle(), and also gives the person's message as the transcript keeps it (redacted),
        for channels that show history."""
        text = inbound.text.replace("\x00", "")[:MAX_MESSAGE_CHARS]
        try:
            with self._store.claim(inbound.channel, inbound.user_id) as conversation:
                answered_secret = _answers_a_secret(conversation)
                requester = Requester(inbound.channel, inbound.user_id)
                replies = self._turn(conversation, requester, text, inbound.meta, inbound.locale)
                person = next(e for e in reversed(conversation.transcript) if e["from"] == "person")
        except (ConversationBusyError, ConversationConflictError) as exc:
            log.warning("message not applied (%s); asking the person to send it again", type(exc).__name__)
            with use_language(negotiate(inbound.locale, self._languages, self._default_language)):
                return Turn([Reply(TEXT["busy"])], REDACTED)
        # Only a message masked whole may be a secret (a channel deletes it); "help" at the code prompt is not.
        return Turn(replies, str(person["text"]), answered_secret and person["text"] == REDACTED)

    def _turn(
        self,
        conversation: ConversationRecord,
        requester: Requester,
        text: str,
        meta: dict[str, Any],
        hint: str | None = None,
    ) -> list[Reply]:
        # "español", "Deutsch", "language": never while an answer is expected (any words may be one); a code
        # is digits, so at the code step they are still a switch.
        answering = (
            conversation.slots.get("expects") == "secret" or STATE_EXPECTS.get(State(conversation.state)) == "secret"
        )
        request = None if answering else language_request(text)
        language = self.language(conversation.slots, hint)
        if request == language and conversation.state == State.IDENTIFY:
            request = None  # "german" in German at the ID prompt: a username, typed again as asked (courtesy.py)
        chosen = request is not None and request in self._languages
        if chosen:
            language = str(request)
        # Kept once chosen or hinted (it sticks, through a new start); otherwise the default applies each turn.
        keep = chosen or hint is not None or "lang" in conversation.slots
        with use_language(language):
            replies = self._turn_in(conversation, requester, text, meta, request)
        if keep:
            conversation.slots["lang"] = language
        return replies

    def _turn_in(
        self,
        conversation: ConversationRecord,
        requester: Requester,
        text: str,
        meta: dict[str, Any],
        request: str | None,
    ) -> list[Reply]:
        at = self._clock.now().isoformat(timespec="seconds")
        opening: list[Reply] = []
        # Judge what this message answers before any reset: an answer typed after a long pause is still secret.
        expected = "secret" if _answers_a_secret(conversation) else conversation.slots.get("expects", "text")
        conversation.transcript.append(person_entry(text, expected=expected, state=conversation.state, at=at))
        if self._expired(conversation):
            conversation.state, conversation.slots = INITIAL, Slots()
            opening.append(Reply(TEXT["expired_session"]))
        dialog = self._dialog(conversation, requester)
        dialog.redacted_text = conversation.transcript[-1]["text"]
        email = meta.get("workspace_email")  # a channel's verified profile email: only a proposal
        dialog.hint = self._service.proposal_for_email(email) if isinstance(email, str) and email else None
        if request is not None:
            return self._finish(conversation, dialog, opening + dialog.language_chosen(request, self._languages))
        command = global_command(
            text, exact_only=_answers_a_secret(conversation) or conversation.state == State.IDENTIFY
        )
        return self._finish(
            conversation, dialog, opening + (dialog.command(command) if command else dialog.receive(text))
        )

    def from_support(self, requester: Requester, act: Callable[[RecoveryDialog], list[Reply]]) -> list[Reply]:
        """Apply something live support did (closed the ticket, sent a link...) to the person's conversation,
        and push the resulting replies to their channel."""
        try:
            with self._store.claim(requester.channel, requester.user_id) as conversation:
                language = self.language(conversation.slots)  # notices follow the conversation's language
                with use_language(language):
                    dialog = self._dialog(conversation, requester)
                    replies = self._finish(conversation, dialog, act(dialog), language)
        except (ConversationBusyError, ConversationConflictError) as exc:
            # What support (or the reset page) did stands; only the chat's follow-up is missed, and the
            # dialog catches up on the person's next message (e.g. it checks whether the reset completed).
            log.warning("could not update the conversation after an outside event (%s)", type(exc).__name__)
            return []
        self.push.deliver(requester.channel, requester.user_id, replies)
        return replies

    def _dialog(self, conversation: ConversationRecord, requester: Requester) -> RecoveryDialog:
        return RecoveryDialog(self._service, requester, conversation.state, conversation.slots, conversation.transcript)

    def _finish(
        self, conversation: ConversationRecord, dialog: RecoveryDialog, replies: list[Reply], language: str = ""
    ) -> list[Reply]:
        at = self._clock.now().isoformat(timespec="seconds")
        conversation.state, conversation.slots = dialog.state, dialog.slots
        if language:  # kept through a new start (the dialog forgets its slots when it starts over)
            conversation.slots["lang"] = language
        if replies:
            conversation.slots["expects"] = replies[-1].expects
        conversation.transcript = trim(conversation.transcript + bot_entries(replies, at=at))
        return replies

    def _expired(self, conversation: ConversationRecord) -> bool:
        # Nothing to expire at rest; and someone waiting for a person keeps their place however long it takes.
        if conversation.updated_at is None or conversation.state in NEVER_EXPIRES:
            return False
        return (self._clock.now() - conversation.updated_at).total_seconds() > self._idle


def _answers_a_secret(conversation: ConversationRecord) -> bool:
    """Whether this message may hold a code or an answer: judged by the state as well as by the last prompt,
    so a message after a help or "expired" reply at the code step is still treated as secret."""
    return conversation.state in SECRET_STATES or conversation.slots.get("expects") in ("code", "secret")
