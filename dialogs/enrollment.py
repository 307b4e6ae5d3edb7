"""Enrollment right after a recovery (issue 16): add a backup way to verify, or confirm those on file.

The states are in dialogs/states.py (ENROLL_*), where each outcome leads in dialogs/flow.py, the words in
dialogs/prompts.py and the readers in dialogs/enrollment_readers.py. This module holds what they share
(`EnrollmentBase`: the fresh-proof check and the conditions the table names) and the callbacks that speak
(`EnrollmentSteps`, mixed into RecoveryDialog).

Changes need fresh proof: the moment of the verification is kept in the slots (`verified_at`), and every step
asks core again (RecoveryService.enrollment.account) whether this conversation's recovery verified the person
at most 10 minutes ago. When it did not, the readers return "stale_proof" and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from core.enrollment.notices import mask
from core.enrollment.types import ContactKind, ContactSource, Methods
from core.i18n import gettext
from core.recovery.service import RecoveryService
from core.secrets.questions import find_question
from core.types import Purpose, Requester
from dialogs.prompts import ENROLL_LABELS, TEXT, Buttons, Choice, Choices
from dialogs.slots import Slots
from dialogs.states import State

__all__ = ["ENROLL_SLOTS", "KIND_OF_CHOICE", "EnrollmentBase", "EnrollmentSteps", "enroll_choices"]

# The offer's buttons for the ways that can be added here (a contact from the company directory can't).
KIND_OF_CHOICE = {Choice.ADD_MOBILE: ContactKind.SMS, Choice.ADD_EMAIL: ContactKind.EMAIL}
# What an enrollment keeps in the slots, all dropped when it ends.
ENROLL_SLOTS = ("enroll_changing", "enroll_kind", "enroll_value", "new_questions", "sealed_answers", "tries_left")


class EnrollmentBase:
    """What the enrollment readers and callbacks share; the attributes are RecoveryDialog's."""

    service: RecoveryService
    requester: Requester
    slots: Slots
    state: str
    enroll_problem: str = ""  # why a contact or the answers were refused, said in the same turn
    enroll_saved: bool = False  # something was saved this turn: the offer then asks for "another way"

    def say(self, text: str, **kwargs: Any) -> None:
        raise NotImplementedError  # RecoveryDialog.say

    def enroll_account(self) -> int | None:
        """The verified account, while this conversation's proof is fresh: asked of core at every step."""
        return self.service.enrollment.account(self.slots.get("handle"), self.requester, self.slots.get("verified_at"))

    def enroll_methods(self) -> Methods | None:
        account = self.enroll_account()
        return None if account is None else self.service.enrollment.service.methods(account)

    # -- conditions named in dialogs/flow.py ------------------------------------------------------------------

    def proof_fresh(self) -> bool:
        return self.enroll_account() is not None

    def reconfirm_due(self) -> bool:
        """Older than RESETDESK_REENROLL_DAYS (core decides). Only someone who set a method up themselves is
        asked here: answers an administrator imported carry no date, and asking after every recovery about
        them would only teach people to tap "yes" (the /enroll page still asks)."""
        methods = self.enroll_methods()
        if methods is None or not methods.needs_reconfirm:
            return False
        dated = [c.confirmed_at for c in methods.contacts] + [methods.questions and methods.questions.enrolled_at]
        return any(at is not None for at in dated)

    def backup_due(self) -> bool:
        methods = self.enroll_methods()
        return methods is not None and methods.count < 2


class EnrollmentSteps(EnrollmentBase):
    """The callbacks of the enrollment states (named in dialogs/flow.py)."""

    def note_verified(self) -> None:
        self.slots["verified_at"] = self.service.enrollment.stamp()

    def say_recovered(self) -> None:
        unlocked = self.slots.get("purpose") == Purpose.UNLOCK.value
        self.say(TEXT["unlocked_short" if unlocked else "reset_done_short"])

    def ask_reconfirm(self) -> None:
        methods = self.enroll_methods()
        shown = _describe(methods) if methods is not None else ""
        self.say(TEXT["enroll_reconfirm"].format(methods=shown), choices=Buttons.RECONFIRM)

    def say_reconfirmed(self) -> None:
        self.say(TEXT["enroll_reconfirmed"])

    def note_changing(self) -> None:
        self.slots["enroll_changing"] = True

    def offer_backup(self) -> None:
        _drop(self.slots, keep_changing=True)
        methods = self.enroll_methods()
        changing = self.slots.get("enroll_changing", False)
        choices = _offer(methods, changing=changing)
        self.slots["choices"] = [[label, value] for label, value in choices]
        text = TEXT["enroll_change"] if changing else TEXT["enroll_more" if self.enroll_saved else "enroll_offer"]
        self.say(text, choices=choices)

    def ask_contact(self) -> None:
        kind = ContactKind(self.slots["enroll_kind"])
        ask = TEXT["enroll_ask_sms" if kind is ContactKind.SMS else "enroll_ask_email"]
        self.say(ask, choices=(Buttons.NO_THANKS,))

    def say_contact_refused(self) -> None:
        if self.state == State.ENROLL_CONTACT_CODE:  # a new code was refused: the last one may still be typed
            self.say(self.enroll_problem, choices=Buttons.CONTACT_CODE, expects="code")
        else:
            self.say(self.enroll_problem, choices=(Buttons.NO_THANKS,))

    def announce_contact_code(self) -> None:
        kind = ContactKind(self.slots["enroll_kind"])
        terms = self.service.terms
        to = mask(kind.value, self.slots.get("enroll_value", ""))
        text = TEXT["enroll_code_sent"].format(digits=terms.code_digits, to=to, minutes=terms.code_minutes)
        self.say(text, choices=Buttons.CONTACT_CODE, expects="code")

    def say_contact_code_expired(self) -> None:
        self.say(TEXT["enroll_code_expired"], choices=Buttons.CONTACT_CODE, expects="code")

    def say_contact_used_up(self) -> None:
        self.say(TEXT["enroll_code_used_up"])

    def offer_questions(self) -> None:
        chosen = self.slots.setdefault("new_questions", [])
        self.slots.setdefault("sealed_answers", [])
        pool = self.service.enrollment.service.question_pool()
        choices: Choices = (*((q.text, q.id) for q in pool if q.id not in chosen), Buttons.NO_THANKS)
        self.slots["choices"] = [[label, value] for label, value in choices]
        total = self.service.enrollment.service.questions_required
        self.say(TEXT["enroll_pick_question"].format(number=len(chosen) + 1, total=total), choices=choices)

    def ask_new_answer(self) -> None:
        question = find_question(self.slots["new_questions"][-1])
        self.say(TEXT["enroll_answer"].format(text=gettext(question.text) if question else ""), expects="secret")

    def say_answers_refused(self) -> None:
        self.say(TEXT["enroll_questions_problems"].format(problems=self.enroll_problem))

    def say_saved(self) -> None:
        self.enroll_saved = True
        kind = self.slots.get("enroll_kind")
        if kind is None:
            self.say(TEXT["enroll_questions_saved"])
        else:
            self.say(TEXT["enroll_mobile_saved" if ContactKind(kind) is ContactKind.SMS else "enroll_email_saved"])

    def say_all_set(self) -> None:
        self._end_enrollment()
        self.say(TEXT["enroll_all_set"])

    def say_no_thanks(self) -> None:
        self._end_enrollment()
        self.say(TEXT["enroll_no_thanks"])

    def say_verify_first(self) -> None:
        self._end_enrollment()
        self.say(TEXT["verify_first"])

    def _end_enrollment(self) -> None:
        """Done, declined or refused: nothing of it stays, not even the proof (verify again to change more)."""
        _drop(self.slots, keep_changing=False)
        self.slots.pop("verified_at", None)


def _drop(slots: Slots, *, keep_changing: bool) -> None:
    """Forget an enrollment's progress (ENROLL_SLOTS); the sealed answers go with it."""
    for key in ENROLL_SLOTS:
        if not (keep_changing and key == "enroll_changing"):
            slots.pop(key, None)  # type: ignore[misc]  # every key of ENROLL_SLOTS is optional


def enroll_choices(state: State, slots: Slots) -> Choices:
    """The buttons an enrollment step offers, to offer again after a help or a misunderstanding."""
    if state in (State.ENROLL_OFFER, State.ENROLL_PICK_QUESTION):
        return tuple((label, value) for label, value in slots.get("choices", []))
    return {
        State.ENROLL_RECONFIRM: Buttons.RECONFIRM,
        State.ENROLL_CONTACT: (Buttons.NO_THANKS,),
        State.ENROLL_CONTACT_CODE: Buttons.CONTACT_CODE,
    }.get(state, ())


def _offer(methods: Methods | None, *, changing: bool) -> Choices:
    """The ways to add (or change), leaving out a kind the company directory provides, then "No thanks"."""
    contacts = {c.kind: c for c in methods.contacts} if methods else {}
    choices: list[tuple[str, str]] = []
    for choice, (add, change) in ENROLL_LABELS.items():
        kind = KIND_OF_CHOICE.get(choice)
        entry = contacts.get(kind) if kind else None
        if entry is not None and entry.source is ContactSource.DIRECTORY:
            continue
        has = entry is not None if kind else bool(methods and methods.questions)
        choices.append((change if changing and has else add, choice))
    return (*choices, Buttons.NO_THANKS)


def _describe(methods: Methods) -> str:
    """The methods on file, masked: "mobile ***0123, email j***@example.com, security questions"."""
    parts = [f"{'mobile' if c.kind is ContactKind.SMS else 'email'} {mask(c.kind.value, c.display)}"
             for c in methods.contacts]  # fmt: skip
    if methods.questions is not None:
        parts.append("security questions")
    return ", ".join(parts)
