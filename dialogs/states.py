"""The recovery conversation's states, and the sets of them that bot/ acts on.

A StrEnum, so a member *is* its stored string: rows in `conversations.state` keep the same values, and a
member compares equal to the string read back. The transitions Machine is given the plain values (it would
take an Enum member's *name*), see dialogs/flow.py.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # replies -> prompts -> states: no import back at run time
    from dialogs.replies import Expects

__all__ = ["AWAITS_MESSAGE", "INITIAL", "NEVER_EXPIRES", "RESTING", "SECRET_STATES", "STATE_EXPECTS", "State"]


class State(StrEnum):
    IDLE = "idle"
    NEED = "need"
    IDENTIFY = "identify"
    CHOOSE_METHOD = "choose_method"
    ENTER_CODE = "enter_code"
    ANSWER_QUESTIONS = "answer_questions"
    VERIFIED = "verified"  # passed through within a turn; a conversation never rests here
    AWAITING_RESET = "awaiting_reset"
    DONE = "done"
    HANDOFF = "handoff"
    # Enrollment right after a verification (dialogs/enrollment.py): each step needs the proof still fresh.
    ENROLL_RECONFIRM = "enroll_reconfirm"  # are the methods on file still yours?
    ENROLL_OFFER = "enroll_offer"  # add a backup way: mobile, email, questions, or no thanks
    ENROLL_CONTACT = "enroll_contact"  # type the new mobile number or email
    ENROLL_CONTACT_CODE = "enroll_contact_code"  # type the code sent to it
    ENROLL_PICK_QUESTION = "enroll_pick_question"  # choose the next question from the pool
    ENROLL_ANSWER = "enroll_answer"  # answer it (a secret)


INITIAL = State.IDLE
# Nothing under way: opening the chat greets, and a new message starts afresh.
RESTING = frozenset({State.IDLE, State.DONE})
# Kept however long the pause: nothing to expire at rest, and someone waiting for a person keeps their place.
NEVER_EXPIRES = RESTING | {State.HANDOFF}
# What a state's prompt asks for, so a help or retry reply there keeps a masked field masked.
STATE_EXPECTS: dict[State, Expects] = {
    State.ENTER_CODE: "code",
    State.ANSWER_QUESTIONS: "secret",
    State.ENROLL_CONTACT_CODE: "code",
    State.ENROLL_ANSWER: "secret",
}
# Where whatever the person types may be a code or an answer (redacted whole, never read as a command).
SECRET_STATES = frozenset(STATE_EXPECTS)
# Where a conversation waits for the person's next message: each has a reader (dialogs/readers.py READERS).
AWAITS_MESSAGE = frozenset(State) - {State.VERIFIED}
