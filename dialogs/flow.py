"""The recovery conversation as data for `transitions`: its states, and where each outcome event leads.

One Machine is built from this data at import and shared by every conversation (DESIGN.md explains why):
each message restores a small RecoveryDialog (dialogs/recovery.py) and triggers an event on it. Callbacks
are named here and defined on that model; on_enter callbacks are declared explicitly in the state dicts.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

__all__ = ["GLOBAL_EVENTS", "INITIAL", "MACHINE", "STATES", "TRANSITIONS"]

INITIAL = "idle"
_STATE_NAMES = (
    "idle", "need", "identify", "choose_method", "enter_code", "answer_questions", "verified", "awaiting_reset",
    "done", "handoff",
)  # fmt: skip
STATES: list[dict[str, Any]] = [
    {"name": "idle"},
    {"name": "need", "on_enter": "ask_need"},
    {"name": "identify", "on_enter": "ask_identifier"},
    {"name": "choose_method", "on_enter": "offer_methods"},
    {"name": "enter_code", "on_enter": "announce_code"},
    {"name": "answer_questions", "on_enter": "ask_first_question"},
    {"name": "verified", "on_enter": "conclude"},
    {"name": "awaiting_reset", "on_enter": "send_link"},
    {"name": "done"},
    {"name": "handoff", "on_enter": "open_ticket"},
]
assert tuple(s["name"] for s in STATES) == _STATE_NAMES

# Help, cancel, restart and hand-off work in every state (a test checks this on the data).
GLOBAL_EVENTS = ("help", "cancel", "restart", "handoff")
_EVERY = list(_STATE_NAMES)
_AGENT_REACHES = [s for s in _STATE_NAMES if s != "verified"]  # "verified" is passed through within a turn

TRANSITIONS: list[dict[str, Any]] = [
    # global commands
    {"trigger": "help", "source": _EVERY, "dest": None, "after": "say_help"},
    {"trigger": "cancel", "source": _EVERY, "dest": "idle", "after": "say_cancelled"},
    {"trigger": "restart", "source": _EVERY, "dest": "need", "before": "say_restarted"},
    {"trigger": "handoff", "source": [s for s in _EVERY if s != "handoff"], "dest": "handoff"},
    {"trigger": "handoff", "source": "handoff", "dest": None, "after": "say_waiting"},
    {"trigger": "unclear", "source": _EVERY, "dest": None, "after": "say_not_understood"},
    # greeting and what they need
    {"trigger": "greet", "source": ["idle", "done"], "dest": "need", "before": "say_greeting"},
    {"trigger": "want_reset", "source": ["idle", "need", "done"], "dest": "identify", "before": "remember_reset"},
    {"trigger": "want_unlock", "source": ["idle", "need", "done"], "dest": "identify", "before": "remember_unlock"},
    {"trigger": "want_other", "source": "need", "dest": None, "after": "say_other"},
    # who they are
    {"trigger": "identified", "source": "identify", "dest": "choose_method"},
    {"trigger": "unreadable_identifier", "source": "identify", "dest": None, "after": "ask_identifier_again"},
    {"trigger": "other_account", "source": "identify", "dest": None, "after": "ask_identifier"},
    # how to verify
    {"trigger": "code_sent", "source": ["choose_method", "enter_code", "handoff"], "dest": "enter_code"},
    {"trigger": "send_refused", "source": ["choose_method", "enter_code", "handoff"], "dest": None,
     "after": "say_send_refused"},
    {"trigger": "pick_questions", "source": "choose_method", "dest": "answer_questions"},
    {"trigger": "switch", "source": ["enter_code", "answer_questions"], "dest": "choose_method"},
    {"trigger": "code_wrong", "source": "enter_code", "dest": None, "after": "say_code_wrong"},
    {"trigger": "code_malformed", "source": "enter_code", "dest": None, "after": "say_code_malformed"},
    {"trigger": "code_expired", "source": "enter_code", "dest": None, "after": "say_code_expired"},
    {"trigger": "code_used_up", "source": "enter_code", "dest": "choose_method", "before": "say_code_used_up"},
    {"trigger": "next_question", "source": "answer_questions", "dest": None, "after": "ask_question"},
    {"trigger": "answers_wrong", "source": "answer_questions", "dest": "answer_questions",
     "before": "say_answers_wrong"},
    {"trigger": "step_passed", "source": ["enter_code", "answer_questions"], "dest": "choose_method",
     "before": "say_next_step"},
    {"trigger": "passed", "source": ["enter_code", "answer_questions"], "dest": "verified"},
    # after verification
    {"trigger": "link_ready", "source": "verified", "dest": "awaiting_reset"},
    {"trigger": "unlocked", "source": "verified", "dest": "done", "after": "say_unlocked"},
    {"trigger": "new_link", "source": "awaiting_reset", "dest": "awaiting_reset"},
    {"trigger": "still_waiting", "source": "awaiting_reset", "dest": None, "after": "say_awaiting"},
    {"trigger": "reset_completed", "source": "awaiting_reset", "dest": "done", "after": "say_reset_done"},
    # live support
    {"trigger": "relay", "source": "handoff", "dest": None, "after": "forward_to_support"},
    {"trigger": "support_closed", "source": "handoff", "dest": "done", "after": "say_support_closed"},
    {"trigger": "support_returned", "source": "handoff", "dest": "need", "before": "say_back_with_bot"},
    # an agent's action reaches the person wherever their conversation is (they may have moved on)
    {"trigger": "agent_link", "source": _AGENT_REACHES, "dest": "awaiting_reset"},
    {"trigger": "agent_code_sent", "source": _AGENT_REACHES, "dest": "enter_code"},
]  # fmt: skip

MACHINE = Machine(
    model=None, states=STATES, transitions=TRANSITIONS, initial=INITIAL, auto_transitions=False, send_event=False
)
