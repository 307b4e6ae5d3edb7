"""What a conversation remembers between messages: its slots, stored as JSON with the conversation row.

A TypedDict (total=False) rather than a dataclass: at run time it is the plain dict the stores already save,
so the JSON row format stays exactly as it is (only the keys that were set, no nulls for the rest), rows
written before this type existed load unchanged, and `slots = Slots()` still means "forget everything".
mypy checks every key name and value type where the dialog or the engine reads or writes one.

Values are what JSON gives back: enum *values* (`Purpose.RESET.value`), and lists for pairs.
Slots never hold a secret (no code, answer, token or password): test_privacy and test_secrets_scan check
the stored rows.
"""

from __future__ import annotations

from typing import TypedDict

from dialogs.replies import Expects

__all__ = ["Slots"]


class Slots(TypedDict, total=False):
    # the recovery under way
    purpose: str  # core.types.Purpose value
    handle: str  # RecoveryService's opaque handle (not the employee id)
    hint: str  # the account the channel proposed, until the person answers yes or no
    # verification
    choices: list[list[str]]  # the method buttons offered: [label, value] pairs
    method: str  # core.types.Method value last chosen
    send_status: str  # core.types.SendStatus value of the last send
    retry_after: int | None  # seconds, with a refused send
    destination: str | None  # where the code went, masked ("a•••@example.com", or the phone's last 2 digits)
    tries_left: int | None  # tries left for the current code
    questions: list[str]  # question ids asked, in order
    question_texts: list[str]  # their wording, as asked
    asked: int  # how many answers were given so far
    step_done: bool  # one step of a two-step verification passed
    # enrollment right after a verification (dialogs/enrollment.py)
    verified_at: str  # when this conversation verified the person (ISO): changes need it fresh
    enroll_changing: bool  # the methods on file were said not to be theirs: offer to change them
    enroll_kind: str  # core.enrollment ContactKind value being added
    enroll_value: str  # the new contact as typed, for "send a new code" (not a secret: it is theirs)
    new_questions: list[str]  # question ids chosen so far
    sealed_answers: list[str]  # their answers, sealed by core (AES-GCM, bound to the recovery), never plain
    # live support
    handoff_reason: str  # core.types.HandoffReason value, for the ticket about to open
    ticket: str  # the open ticket's reference
    told_added: bool  # "added to your ticket" was said once
    # the conversation itself (written by the engine)
    lang: str  # its language (core.i18n): chosen by the person, or the channel's hint; unset = the default
    unclear: int  # messages not understood in a row
    expects: Expects  # what the last reply asked for, so the next message is judged by it
