"""Reading one message in the light of the conversation's state: free text -> one outcome event.

The readers call RecoveryService to learn the outcome (a code right or wrong, a send refused) and return
the event the transitions table (dialogs/flow.py) maps to the next state. They never reply themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from core.recovery.service import RecoveryService
from core.secrets.codes import clean_code
from core.types import CheckResult, CheckStatus, HandoffReason, Method, Options, Purpose, Requester, SendStatus
from dialogs.enrollment_readers import EnrollmentReaders
from dialogs.prompts import Buttons, Choice
from dialogs.slots import Slots
from dialogs.states import AWAITS_MESSAGE, State
from dialogs.understanding import (
    code_shaped,
    find_identifier,
    is_greeting,
    is_switch_request,
    looks_like_a_code,
    looks_like_a_name,
    match_choice,
    read_intents,
)

__all__ = ["READERS", "Reader", "Readers", "reader_for"]


class Readers(EnrollmentReaders):
    """Mixed into RecoveryDialog; the attributes are the dialog's. The enrollment states' readers are inherited."""

    service: RecoveryService
    requester: Requester
    state: str
    slots: Slots
    text: str
    hint: str | None
    fresh_options: Options | None

    def read_start(self) -> str:
        if looks_like_a_code(self.text):
            return "code_too_early"
        intents = read_intents(self.text)
        if "enroll" in intents:  # "add a backup phone": only with fresh proof (dialogs/enrollment.py)
            return "want_enroll"
        need = self._need(intents)
        return self._said_it_all(need) if need else "greet"

    def read_need(self) -> str:
        if is_greeting(self.text):
            return "greet"
        if looks_like_a_code(self.text):
            return "code_too_early"
        choice = match_choice(self.text, Buttons.NEED)
        intents = read_intents(self.text)
        if choice == Choice.AGENT:
            return "handoff"
        need = {Choice.UNLOCK: "want_unlock", Choice.RESET: "want_reset"}.get(choice or "") or self._need(intents)
        if need:
            return self._said_it_all(need)
        if choice == Choice.OTHER or "other" in intents:
            return "want_other"
        return "unclear"

    @staticmethod
    def _need(intents: set[str]) -> str | None:
        if "unlock" in intents and "reset" not in intents:
            return "want_unlock"
        return "want_reset" if "reset" in intents else None

    def _said_it_all(self, need: str) -> str:
        """ "I forgot my password, my ID is E1001": what they need and who they are, so straight to the methods."""
        identifier = find_identifier(self.text, loose=False)
        if identifier is None:
            return need
        purpose = Purpose.UNLOCK if need == "want_unlock" else Purpose.RESET
        self.slots = Slots(purpose=purpose.value)  # a new start, as after the greeting
        event = self._identify(identifier)
        return "identified_at_once" if event == "identified" else event

    def read_identifier(self) -> str:
        text = self.text.strip()
        hint = self.slots.pop("hint", None)
        if hint:
            answer = match_choice(text, Buttons.YES_NO) or next(
                (i for i in (Choice.YES, Choice.NO) if i in read_intents(text)), None
            )
            if answer == Choice.YES:
                return self._identify(hint)
            if answer == Choice.NO:
                self.hint = None
                return "other_account"
        if is_greeting(text):
            return "hello"
        identifier = find_identifier(text, loose=True)
        if identifier is None:
            return "gave_name" if looks_like_a_name(text) else "unreadable_identifier"
        return self._identify(identifier)

    def _identify(self, identifier: str) -> str:
        purpose = Purpose(self.slots.get("purpose", Purpose.RESET.value))
        handle = self.service.start(identifier, self.requester, purpose)
        self.slots.update(Slots(handle=handle, questions=[], asked=0))
        options = self.service.options(handle)
        if options.locked:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        if not options.methods:
            reason = HandoffReason.PROVIDER_DOWN if options.unavailable else HandoffReason.NO_METHOD
            self.slots["handoff_reason"] = reason.value
            return "handoff"
        self.fresh_options = options  # "identified" offers these methods next
        return "identified"

    def read_method(self) -> str:
        if looks_like_a_code(self.text):  # a code they hold: not a choice, and not a misunderstanding either
            return "code_too_early"
        if is_greeting(self.text):
            return "hello"
        choice = match_choice(self.text, self.slots.get("choices", []))
        intents = read_intents(self.text)
        if choice is None:
            for method in Method:
                if method.value in intents and any(v == method.value for _, v in self.slots.get("choices", [])):
                    choice = method.value
        if choice is None and "none" in intents:
            choice = Choice.NONE
        if choice is None:
            return "unclear"
        if choice == Choice.NONE:  # contacts are on file (methods were offered), the person can use none
            self.slots["handoff_reason"] = HandoffReason.METHODS_UNUSABLE.value
            return "handoff"
        method = Method(choice)
        if method is Method.QUESTIONS:
            options = self.service.options(self.slots["handle"])  # things may have changed since the buttons
            if options.locked:
                self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
                return "handoff"
            if Method.QUESTIONS not in options.methods:
                return "unclear"
            return self._draw_questions()
        return self._send(method)

    def _draw_questions(self) -> str:
        """Draw the questions before entering the state that asks them, so the table shows every way out."""
        questions = self.service.questions(self.slots["handle"])
        if not questions:  # locked by a parallel failure, or none on file under METHOD_DISCLOSURE=all
            if self.service.options(self.slots["handle"]).locked:
                self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
                return "handoff"
            return "questions_unavailable"
        drawn = Slots(questions=[q.id for q in questions], question_texts=[q.text for q in questions], asked=0)
        self.slots.update(drawn)
        return "pick_questions"

    def read_code(self) -> str:
        intents = read_intents(self.text)
        if code_shaped(self.text):
            return self._judge(self.service.verify_code(self.slots["handle"], clean_code(self.text)))
        if "resend" in intents:
            return self._send(Method(self.slots["method"]))
        current = Method(self.slots["method"])
        asked = [m for m in (Method.SMS, Method.EMAIL) if m.value in intents and m is not current]
        if asked and asked[0] in self.service.options(self.slots["handle"]).methods:
            return self._send(asked[0])
        if "switch" in intents or any(m.value in intents for m in Method):
            return "switch"
        return "hello" if is_greeting(self.text) else "unclear"

    def read_answer(self) -> str:
        answer = self.text.strip()
        if not answer:
            return "unclear"
        if is_switch_request(answer):
            return "switch"
        questions, asked = self.slots["questions"], self.slots["asked"]
        result = self.service.answer_question(self.slots["handle"], questions[asked], answer)
        if result is None:
            self.slots["asked"] = asked + 1
            return "next_question"
        return self._judge(result)

    def read_awaiting(self) -> str:
        if self.service.options(self.slots["handle"]).completed:
            return "reset_completed"
        if "resend" in read_intents(self.text) or "link" in self.text.casefold():
            return "new_link"
        return "still_waiting"

    def read_handoff(self) -> str:
        return "relay"

    def _send(self, method: Method) -> str:
        self.slots["method"] = method.value
        result = self.service.send_code(self.slots["handle"], method)
        self.slots["send_status"] = result.status.value
        self.slots["retry_after"] = result.retry_after
        self.slots["destination"] = result.destination
        if result.status is SendStatus.LOCKED:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        if result.status is SendStatus.UNAVAILABLE and not self.service.options(self.slots["handle"]).methods:
            self.slots["handoff_reason"] = HandoffReason.PROVIDER_DOWN.value
            return "handoff"
        return "code_sent" if result.sent or result.code_pending else "send_refused"  # pending: type that one

    def _judge(self, result: CheckResult) -> str:
        self.slots["tries_left"] = result.tries_left
        if result.status is CheckStatus.LOCKED:
            self.slots["handoff_reason"] = HandoffReason.VERIFICATION_LOCKED.value
            return "handoff"
        return {
            CheckStatus.VERIFIED: "passed",
            CheckStatus.NEXT_STEP: "step_passed",
            CheckStatus.WRONG: "answers_wrong"
            if self.state == State.ANSWER_QUESTIONS
            else ("code_wrong" if result.tries_left else "code_used_up"),
            CheckStatus.MALFORMED: "code_malformed",
            CheckStatus.EXPIRED: "code_expired",
            CheckStatus.NO_CODE: "code_expired",
            CheckStatus.USED_UP: "code_used_up",
        }[result.status]


Reader = Callable[[Readers], str]

# The reader for each state a conversation waits in (a test checks the keys are exactly AWAITS_MESSAGE).
READERS: dict[State, Reader] = {
    State.IDLE: Readers.read_start,
    State.DONE: Readers.read_start,
    State.NEED: Readers.read_need,
    State.IDENTIFY: Readers.read_identifier,
    State.CHOOSE_METHOD: Readers.read_method,
    State.ENTER_CODE: Readers.read_code,
    State.ANSWER_QUESTIONS: Readers.read_answer,
    State.AWAITING_RESET: Readers.read_awaiting,
    State.HANDOFF: Readers.read_handoff,
    State.ENROLL_RECONFIRM: Readers.read_enroll_reconfirm,
    State.ENROLL_OFFER: Readers.read_enroll_offer,
    State.ENROLL_CONTACT: Readers.read_enroll_contact,
    State.ENROLL_CONTACT_CODE: Readers.read_enroll_contact_code,
    State.ENROLL_PICK_QUESTION: Readers.read_enroll_pick_question,
    State.ENROLL_ANSWER: Readers.read_enroll_answer,
}
assert READERS.keys() == AWAITS_MESSAGE


def reader_for(state: str) -> Reader:
    """The state's reader; a pass-through state (never rested in) reads like a fresh start, defensively."""
    return READERS.get(State(state), Readers.read_start)
