"""The recovery conversation as data for `transitions`: its states, and where each outcome event leads.

One Machine is built from this data at import and shared by every conversation (so not `queued=True`: its
one event queue would mix conversations across threads):
each message restores a small RecoveryDialog (dialogs/recovery.py) and triggers an event on it. Callbacks
are named here and defined on that model; on_enter callbacks are declared explicitly in the state dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from transitions import Machine

from dialogs.states import INITIAL, State

__all__ = ["GLOBAL_EVENTS", "INITIAL", "MACHINE", "PASS_THROUGH", "STATES", "TRANSITIONS"]

STATES: list[dict[str, Any]] = [
    {"name": State.IDLE},
    {"name": State.NEED, "on_enter": "ask_need"},
    {"name": State.IDENTIFY, "on_enter": "ask_identifier"},
    {"name": State.CHOOSE_METHOD, "on_enter": "offer_methods"},
    {"name": State.ENTER_CODE, "on_enter": "announce_code"},
    {"name": State.ANSWER_QUESTIONS, "on_enter": "ask_first_question"},
    {"name": State.VERIFIED},
    {"name": State.AWAITING_RESET, "on_enter": "send_link"},
    {"name": State.DONE},
    {"name": State.HANDOFF, "on_enter": "open_ticket"},
    {"name": State.ENROLL_RECONFIRM, "on_enter": "ask_reconfirm"},
    {"name": State.ENROLL_OFFER, "on_enter": "offer_backup"},
    {"name": State.ENROLL_CONTACT, "on_enter": "ask_contact"},
    {"name": State.ENROLL_CONTACT_CODE, "on_enter": "announce_contact_code"},
    {"name": State.ENROLL_PICK_QUESTION, "on_enter": "offer_questions"},
    {"name": State.ENROLL_ANSWER, "on_enter": "ask_new_answer"},
]
assert [s["name"] for s in STATES] == list(State)

# A state the turn passes through, and the event the dialog fires on arriving there (RecoveryDialog.fire):
# where that event leads is in the table below, decided by the transitions' conditions.
PASS_THROUGH: dict[State, str] = {State.VERIFIED: "conclude"}

# Help, cancel, restart and hand-off work in every state (a test checks this on the data).
GLOBAL_EVENTS = ("help", "cancel", "restart", "handoff")
_EVERY = list(State)
_AGENT_REACHES = [s for s in State if s not in PASS_THROUGH]
_S = State  # short, so the table keeps one line per transition
_ENROLLING = [_S.ENROLL_RECONFIRM, _S.ENROLL_OFFER, _S.ENROLL_CONTACT, _S.ENROLL_CONTACT_CODE, _S.ENROLL_PICK_QUESTION,
              _S.ENROLL_ANSWER]  # fmt: skip

TRANSITIONS: list[dict[str, Any]] = [
    # global commands
    {"trigger": "help", "source": _EVERY, "dest": None, "after": "say_help"},
    {"trigger": "cancel", "source": _EVERY, "dest": _S.IDLE, "after": "say_cancelled"},
    {"trigger": "restart", "source": _EVERY, "dest": _S.NEED, "before": "say_restarted"},
    {"trigger": "handoff", "source": [s for s in _EVERY if s != _S.HANDOFF], "dest": _S.HANDOFF},
    {"trigger": "handoff", "source": _S.HANDOFF, "dest": None, "after": "say_waiting"},
    {"trigger": "unclear", "source": _EVERY, "dest": None, "after": "say_not_understood"},
    # greeting and what they need
    {"trigger": "greet", "source": [_S.IDLE, _S.DONE, _S.NEED], "dest": _S.NEED, "before": "say_greeting"},
    {"trigger": "code_too_early", "source": [_S.IDLE, _S.DONE, _S.NEED], "dest": _S.NEED,
     "before": "say_code_not_expected"},
    {"trigger": "want_reset", "source": [_S.IDLE, _S.NEED, _S.DONE], "dest": _S.IDENTIFY, "before": "remember_reset"},
    {"trigger": "want_unlock", "source": [_S.IDLE, _S.NEED, _S.DONE], "dest": _S.IDENTIFY,
     "before": "remember_unlock"},
    {"trigger": "want_other", "source": _S.NEED, "dest": None, "after": "say_other"},
    {"trigger": "identified_at_once", "source": [_S.IDLE, _S.NEED, _S.DONE], "dest": _S.CHOOSE_METHOD},
    {"trigger": "hello", "source": [_S.IDENTIFY, _S.CHOOSE_METHOD, _S.ENTER_CODE], "dest": None,
     "after": "say_hello_again"},
    # who they are
    {"trigger": "identified", "source": _S.IDENTIFY, "dest": _S.CHOOSE_METHOD},
    {"trigger": "unreadable_identifier", "source": _S.IDENTIFY, "dest": None, "after": "ask_identifier_again"},
    {"trigger": "other_account", "source": _S.IDENTIFY, "dest": None, "after": "ask_identifier"},
    {"trigger": "gave_name", "source": _S.IDENTIFY, "dest": None, "after": "ask_for_id_not_name"},
    # how to verify
    {"trigger": "code_sent", "source": [_S.CHOOSE_METHOD, _S.ENTER_CODE, _S.HANDOFF], "dest": _S.ENTER_CODE},
    {"trigger": "send_refused", "source": [_S.CHOOSE_METHOD, _S.ENTER_CODE, _S.HANDOFF], "dest": None,
     "after": "say_send_refused"},
    {"trigger": "pick_questions", "source": _S.CHOOSE_METHOD, "dest": _S.ANSWER_QUESTIONS},
    {"trigger": "code_too_early", "source": _S.CHOOSE_METHOD, "dest": None, "after": "say_code_not_expected"},
    {"trigger": "questions_unavailable", "source": _S.CHOOSE_METHOD, "dest": None, "after": "say_method_unavailable"},
    {"trigger": "switch", "source": [_S.ENTER_CODE, _S.ANSWER_QUESTIONS], "dest": _S.CHOOSE_METHOD},
    {"trigger": "code_wrong", "source": _S.ENTER_CODE, "dest": None, "after": "say_code_wrong"},
    {"trigger": "code_malformed", "source": _S.ENTER_CODE, "dest": None, "after": "say_code_malformed"},
    {"trigger": "code_expired", "source": _S.ENTER_CODE, "dest": None, "after": "say_code_expired"},
    {"trigger": "code_used_up", "source": _S.ENTER_CODE, "dest": _S.CHOOSE_METHOD, "before": "say_code_used_up"},
    {"trigger": "next_question", "source": _S.ANSWER_QUESTIONS, "dest": None, "after": "ask_question"},
    {"trigger": "answers_wrong", "source": _S.ANSWER_QUESTIONS, "dest": _S.ANSWER_QUESTIONS,
     "before": "say_answers_wrong"},
    {"trigger": "step_passed", "source": [_S.ENTER_CODE, _S.ANSWER_QUESTIONS], "dest": _S.CHOOSE_METHOD,
     "before": "say_next_step"},
    {"trigger": "passed", "source": [_S.ENTER_CODE, _S.ANSWER_QUESTIONS], "dest": _S.VERIFIED,
     "before": "note_verified"},
    # after verification (fired on arriving in "verified", see PASS_THROUGH): unlock, or send the reset link;
    # an unlock is followed by the enrollment offer when it is due (the first edge whose conditions hold wins)
    {"trigger": "conclude", "source": _S.VERIFIED, "dest": _S.ENROLL_RECONFIRM,
     "conditions": ["wants_unlock", "reconfirm_due"], "before": ["unlock_account", "say_recovered"]},
    {"trigger": "conclude", "source": _S.VERIFIED, "dest": _S.ENROLL_OFFER,
     "conditions": ["wants_unlock", "backup_due"], "before": ["unlock_account", "say_recovered"]},
    {"trigger": "conclude", "source": _S.VERIFIED, "dest": _S.DONE, "conditions": "wants_unlock",
     "before": "unlock_account", "after": "say_unlocked"},
    {"trigger": "conclude", "source": _S.VERIFIED, "dest": _S.AWAITING_RESET, "unless": "wants_unlock"},
    {"trigger": "new_link", "source": _S.AWAITING_RESET, "dest": _S.AWAITING_RESET},
    {"trigger": "still_waiting", "source": _S.AWAITING_RESET, "dest": None, "after": "say_awaiting"},
    {"trigger": "reset_completed", "source": _S.AWAITING_RESET, "dest": _S.ENROLL_RECONFIRM,
     "conditions": "reconfirm_due", "before": "say_recovered"},
    {"trigger": "reset_completed", "source": _S.AWAITING_RESET, "dest": _S.ENROLL_OFFER, "conditions": "backup_due",
     "before": "say_recovered"},
    {"trigger": "reset_completed", "source": _S.AWAITING_RESET, "dest": _S.DONE, "after": "say_reset_done"},
    # enrollment right after a verification (dialogs/enrollment.py): every step needs the proof still fresh
    {"trigger": "want_enroll", "source": [_S.IDLE, _S.DONE], "dest": _S.ENROLL_OFFER, "conditions": "proof_fresh"},
    {"trigger": "want_enroll", "source": [_S.IDLE, _S.DONE], "dest": None, "unless": "proof_fresh",
     "after": "say_verify_first"},
    {"trigger": "reconfirmed", "source": _S.ENROLL_RECONFIRM, "dest": _S.ENROLL_OFFER, "conditions": "backup_due",
     "before": "say_reconfirmed"},
    {"trigger": "reconfirmed", "source": _S.ENROLL_RECONFIRM, "dest": _S.DONE, "unless": "backup_due",
     "before": "say_reconfirmed", "after": "say_all_set"},
    {"trigger": "change_methods", "source": _S.ENROLL_RECONFIRM, "dest": _S.ENROLL_OFFER, "before": "note_changing"},
    {"trigger": "add_contact", "source": _S.ENROLL_OFFER, "dest": _S.ENROLL_CONTACT},
    {"trigger": "pick_new_questions", "source": _S.ENROLL_OFFER, "dest": _S.ENROLL_PICK_QUESTION},
    {"trigger": "contact_code_sent", "source": [_S.ENROLL_CONTACT, _S.ENROLL_CONTACT_CODE],
     "dest": _S.ENROLL_CONTACT_CODE},
    {"trigger": "contact_refused", "source": [_S.ENROLL_CONTACT, _S.ENROLL_CONTACT_CODE], "dest": None,
     "after": "say_contact_refused"},
    {"trigger": "contact_code_wrong", "source": _S.ENROLL_CONTACT_CODE, "dest": None, "after": "say_code_wrong"},
    {"trigger": "contact_code_expired", "source": _S.ENROLL_CONTACT_CODE, "dest": None,
     "after": "say_contact_code_expired"},
    {"trigger": "contact_used_up", "source": _S.ENROLL_CONTACT_CODE, "dest": _S.ENROLL_OFFER,
     "before": "say_contact_used_up"},
    {"trigger": "question_picked", "source": _S.ENROLL_PICK_QUESTION, "dest": _S.ENROLL_ANSWER},
    {"trigger": "answer_taken", "source": _S.ENROLL_ANSWER, "dest": _S.ENROLL_PICK_QUESTION},
    {"trigger": "answers_refused", "source": _S.ENROLL_ANSWER, "dest": _S.ENROLL_PICK_QUESTION,
     "before": "say_answers_refused"},
    {"trigger": "enrolled", "source": [_S.ENROLL_CONTACT_CODE, _S.ENROLL_ANSWER], "dest": _S.ENROLL_OFFER,
     "conditions": "backup_due", "before": "say_saved"},
    {"trigger": "enrolled", "source": [_S.ENROLL_CONTACT_CODE, _S.ENROLL_ANSWER], "dest": _S.DONE,
     "unless": "backup_due", "before": "say_saved", "after": "say_all_set"},
    {"trigger": "decline", "source": _ENROLLING, "dest": _S.DONE, "after": "say_no_thanks"},
    {"trigger": "stale_proof", "source": _ENROLLING, "dest": _S.DONE, "after": "say_verify_first"},
    # live support
    {"trigger": "relay", "source": _S.HANDOFF, "dest": None, "after": "forward_to_support"},
    {"trigger": "support_closed", "source": _S.HANDOFF, "dest": _S.DONE, "after": "say_support_closed"},
    {"trigger": "support_returned", "source": _S.HANDOFF, "dest": _S.NEED, "before": "say_back_with_bot"},
    # an agent's action reaches the person wherever their conversation is (they may have moved on)
    {"trigger": "agent_link", "source": _AGENT_REACHES, "dest": _S.AWAITING_RESET, "before": "note_verified"},
    {"trigger": "agent_code_sent", "source": _AGENT_REACHES, "dest": _S.ENTER_CODE},
]  # fmt: skip


def _plain(value: Any) -> Any:
    """The table with each State as its plain string: transitions names an Enum member's state by its
    *name* ("IDLE"), and the stored rows and the model's `state` hold the value ("idle")."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [_plain(item) for item in value]
    return value


MACHINE = Machine(
    model=None,
    states=_plain(STATES),
    transitions=_plain(TRANSITIONS),
    initial=INITIAL.value,
    auto_transitions=False,
    send_event=False,
)
