"""The replies that keep a person moving: a greeting mid-way, a name instead of an ID, a code typed before one
is asked for, and the choices of the current step offered again after an error or a help reply.

Mixed into RecoveryDialog (dialogs/recovery.py) beside the readers; the attributes are the dialog's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogs.enrollment import enroll_choices
from dialogs.languages import language_choices
from dialogs.prompts import HELP, TEXT, Buttons, Choices, labels
from dialogs.replies import Reply
from dialogs.slots import Slots
from dialogs.states import RESTING, STATE_EXPECTS, State

__all__ = ["Courtesies"]


class Courtesies:
    state: str
    slots: Slots
    replies: list[Reply]

    def say(self, text: str, **kwargs: Any) -> None: ...  # RecoveryDialog.say

    def state_choices(self) -> Choices:
        """The buttons the current step offers (none where anything typed is an answer, or nothing is asked)."""
        state = State(self.state)
        if state == State.NEED:
            return Buttons.NEED
        if state == State.IDENTIFY:
            return Buttons.HINT if self.slots.get("hint") else ()
        if state == State.CHOOSE_METHOD:
            return tuple((label, value) for label, value in self.slots.get("choices", []))
        if state == State.ENTER_CODE:
            return Buttons.CODE
        if state == State.AWAITING_RESET:
            return Buttons.AWAITING
        return enroll_choices(state, self.slots)  # the enrollment steps' (dialogs/enrollment.py), else none

    def offer_choices_again(self) -> None:
        """Buttons never vanish: a last reply that leaves the person at a step with choices carries them."""
        if not self.replies or self.replies[-1].choices or self.replies[-1].link is not None:
            return
        choices = self.state_choices()
        if choices:
            self.replies[-1] = replace(self.replies[-1], choices=labels(choices))

    def say_hello_again(self) -> None:
        text = f"{TEXT['hello_again']} {HELP.get(State(self.state), '')}".strip()
        self.say(text, expects=STATE_EXPECTS.get(State(self.state), "text"))

    def language_chosen(self, request: str, languages: tuple[str, ...]) -> list[Reply]:
        """A language picked ("Deutsch": the engine already speaks it) or asked about ("idioma"): say so, then
        where the conversation stands, with that step's buttons, so nothing else changes."""
        if request not in languages:
            self.say(TEXT["language_choose"], choices=language_choices(languages))
            return self.replies
        where = HELP.get(State(self.state), "") if self.state not in RESTING else TEXT["need_again"]
        if self.state == State.IDENTIFY:  # the name of a language may be someone's username: typed again, it is
            where = f"{where} {TEXT['language_or_username']}"
        self.say(f"{TEXT['language_set']} {where}".strip(), expects=STATE_EXPECTS.get(State(self.state), "text"))
        if self.state in RESTING:
            self.replies[-1] = replace(self.replies[-1], choices=labels(Buttons.NEED))
        self.offer_choices_again()
        return self.replies

    def ask_for_id_not_name(self) -> None:
        self.say(TEXT["identify_name"])

    def say_code_not_expected(self) -> None:
        """A code typed where none is asked for (a new chat, or at the method choice): where to type it."""
        if self.state in RESTING:
            self.slots = Slots()
        self.say(TEXT["code_choose_first" if self.state == State.CHOOSE_METHOD else "code_need_first"])
