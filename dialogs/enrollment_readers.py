"""Reading a message in an enrollment state (dialogs/enrollment.py) into one outcome event.

Every reader first asks core whether the proof is still fresh; when it is not, the outcome is "stale_proof"
and nothing is changed. Like dialogs/readers.py, they call core to learn the outcome and never reply.
"""

from __future__ import annotations

import re

from core.enrollment.types import ConfirmStatus, ContactKind, StartStatus
from dialogs.enrollment import KIND_OF_CHOICE, EnrollmentBase
from dialogs.prompts import TEXT, Buttons, Choice
from dialogs.understanding import fold, match_choice, normalise, read_intents
from dialogs.understanding_es_de import DECLINES

__all__ = ["EnrollmentReaders"]

_CODE_LIKE = re.compile(r"^[\d\s.-]+$")
# Only these whole messages decline: a contact being typed ("no.reply@...") must never read as a "no".
_DECLINES = {"no", "no thanks", "no thank you", "nope", "not now", "skip", "later", "none", "nothing"}
_BY_INTENT = {"sms": Choice.ADD_MOBILE, "email": Choice.ADD_EMAIL, "questions": Choice.SET_QUESTIONS}


class EnrollmentReaders(EnrollmentBase):
    """Mixed into Readers (dialogs/readers.py); the attributes are the dialog's."""

    text: str

    def read_enroll_reconfirm(self) -> str:
        account = self.enroll_account()
        if account is None:
            return "stale_proof"
        answer = match_choice(self.text, Buttons.RECONFIRM) or next(
            (i for i in (Choice.YES, Choice.NO) if i in read_intents(self.text)), None
        )
        if answer == Choice.YES:
            self.service.enrollment.service.reconfirm(account)
            return "reconfirmed"
        if answer == Choice.NO:
            return "change_methods"
        return "unclear"

    def read_enroll_offer(self) -> str:
        if self.enroll_account() is None:
            return "stale_proof"
        offered = self.slots.get("choices", [])
        choice = match_choice(self.text, offered)
        if choice is None:
            intents = read_intents(self.text)
            wanted = [c for intent, c in _BY_INTENT.items() if intent in intents]
            choice = wanted[0] if len(wanted) == 1 else (Choice.NO_THANKS if _declines(self.text) else None)
        if choice == Choice.NO_THANKS:
            return "decline"
        if choice is None or not any(value == choice for _, value in offered):
            return "unclear"
        if choice == Choice.SET_QUESTIONS:
            return "pick_new_questions"
        self.slots["enroll_kind"] = KIND_OF_CHOICE[choice].value
        return "add_contact"

    def read_enroll_contact(self) -> str:
        account = self.enroll_account()
        if account is None:
            return "stale_proof"
        if _declines(self.text):
            return "decline"
        value = self.text.strip()
        return self._start_contact(account, value)

    def read_enroll_contact_code(self) -> str:
        account = self.enroll_account()
        if account is None:
            return "stale_proof"
        text = self.text.strip()
        if _CODE_LIKE.match(text) and any(ch.isdigit() for ch in text):
            result = self.service.enrollment.service.confirm_contact(account, self.slots["enroll_kind"], text)
            self.slots["tries_left"] = result.tries_left
            return {
                ConfirmStatus.OK: "enrolled",
                ConfirmStatus.WRONG: "contact_code_wrong",
                ConfirmStatus.EXPIRED: "contact_code_expired",
                ConfirmStatus.USED_UP: "contact_used_up",
            }[result.status]
        if match_choice(text, Buttons.CONTACT_CODE) == Choice.RESEND or "resend" in read_intents(text):
            return self._start_contact(account, self.slots.get("enroll_value", ""))
        if _declines(text):
            return "decline"
        return "unclear"

    def read_enroll_pick_question(self) -> str:
        if self.enroll_account() is None:
            return "stale_proof"
        choice = match_choice(self.text, self.slots.get("choices", []))
        if choice == Choice.NO_THANKS or (choice is None and _declines(self.text)):
            return "decline"
        if choice is None:
            return "unclear"
        self.slots["new_questions"] = [*self.slots.get("new_questions", []), choice]
        return "question_picked"

    def read_enroll_answer(self) -> str:
        account = self.enroll_account()
        handle = self.slots.get("handle", "")
        if account is None:
            return "stale_proof"
        answer = self.text.strip()
        if not answer:
            return "unclear"
        port = self.service.enrollment
        sealed = [*self.slots.get("sealed_answers", []), port.seal(handle, answer)]
        self.slots["sealed_answers"] = sealed
        chosen = self.slots.get("new_questions", [])
        if len(sealed) < port.service.questions_required:
            return "answer_taken"
        self.slots.pop("sealed_answers", None)  # whatever the outcome, they are not kept
        self.slots.pop("new_questions", None)
        opened = [port.open(handle, item) for item in sealed]
        answers = {qid: text for qid, text in zip(chosen, opened, strict=False) if text is not None}
        problems = port.service.set_questions(account, answers)
        if problems:
            self.enroll_problem = " ".join(problems)
            return "answers_refused"
        return "enrolled"

    def _start_contact(self, account: int, value: str) -> str:
        kind = ContactKind(self.slots["enroll_kind"])
        result = self.service.enrollment.service.start_contact(account, kind, value, self.requester)
        if result.status is StartStatus.OK:
            self.slots["enroll_value"] = value
            self.slots.pop("tries_left", None)
            return "contact_code_sent"
        self.enroll_problem = result.problem or TEXT["too_soon"].format(seconds=result.retry_after)
        return "contact_refused"


def _declines(text: str) -> bool:
    """ "No thanks" (the button), or a plain "no", "not now", "skip": nothing to add now."""
    clean = fold(normalise(text)).strip(" .!")
    return clean in _DECLINES or clean in DECLINES or match_choice(text, (Buttons.NO_THANKS,)) == Choice.NO_THANKS
