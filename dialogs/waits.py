"""What the conversation says about sending codes and failed checks: where a code went, how long until a new
one may be asked for (with the reply's `wait_seconds`, for a countdown), and how many attempts are left.

Mixed into RecoveryDialog (dialogs/recovery.py); the attributes and `say`/`offer_methods` are the dialog's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.recovery.service import RecoveryService
from core.types import HandoffReason, Method, SendStatus
from dialogs.prompts import (
    CODE_SENT,
    DESTINATION,
    HANDOFF_REASON,
    TEXT,
    Buttons,
    attempts_left_text,
    lock_ends_text,
    send_refused_text,
)
from dialogs.replies import Reply
from dialogs.slots import Slots
from dialogs.states import State

__all__ = ["WaitReplies"]


class WaitReplies:
    service: RecoveryService
    state: str
    slots: Slots
    replies: list[Reply]

    if TYPE_CHECKING:

        def say(self, text: str, **kwargs: Any) -> None: ...

        def offer_methods(self) -> None: ...

    def announce_code(self) -> None:
        method = Method(self.slots["method"])
        where = DESTINATION[method].format(to=self.slots.get("destination") or "")
        if self.slots.get("send_status") == SendStatus.TOO_SOON.value:  # the code sent a moment ago still works
            wait = self.slots.get("retry_after") or 0
            text = TEXT["code_pending"].format(where=where, seconds=wait)
            self.say(text, choices=Buttons.WAIT, expects="code", wait_seconds=wait)
            return
        terms = self.service.terms
        text = CODE_SENT[method].format(digits=terms.code_digits, minutes=terms.code_minutes, where=where)
        self.say(text, choices=Buttons.CODE, expects="code")

    def _send_refused_text(self) -> str:
        return send_refused_text(SendStatus(self.slots["send_status"]), self.slots.get("retry_after") or 0)

    def say_send_refused(self) -> None:
        text = self._send_refused_text()
        wait = self.slots.get("retry_after") if self.slots["send_status"] == SendStatus.TOO_SOON.value else None
        if self.state == State.CHOOSE_METHOD and wait:
            self.offer_methods()  # one reply: the wait, then the methods (choosing one again is "send again")
            self.replies[-1] = replace(self.replies[-1], text=f"{text} {self.replies[-1].text}", wait_seconds=wait)
        elif self.state == State.CHOOSE_METHOD:
            self.say(text)
            self.offer_methods()
        else:
            self.say(text, choices=Buttons.WAIT if wait else Buttons.CODE, expects="code", wait_seconds=wait)

    def say_answers_wrong(self) -> None:
        tries = self.slots.get("tries_left")
        if tries is None:  # an agent vouched for the person: no pause applies
            self.say(TEXT["answers_wrong"])
            return
        left = attempts_left_text(tries)
        self.say(f"{TEXT['answers_wrong']} {left}")

    def handoff_why(self, reason: HandoffReason) -> str:
        """Why the person is handed over; a pause says when it ends."""
        why = HANDOFF_REASON[reason]
        if reason is HandoffReason.VERIFICATION_LOCKED and "handle" in self.slots:
            options = self.service.options(self.slots["handle"])
            if options.locked_until is not None and options.locked_seconds is not None:
                why += " " + lock_ends_text(options.locked_seconds, options.locked_until)
        return why
