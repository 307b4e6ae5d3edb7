"""Checks on the dialog *data*: what every state must offer, whatever its prompts say."""

from __future__ import annotations

from dialogs.recovery import GLOBAL_EVENTS, MACHINE, STATES, TRANSITIONS

STATE_NAMES = [state["name"] for state in STATES]


def test_every_state_has_cancel_and_handoff_and_the_other_global_commands() -> None:
    for event in GLOBAL_EVENTS:
        sources = set(MACHINE.events[event].transitions)
        missing = [name for name in STATE_NAMES if name not in sources]
        assert not missing, f"'{event}' is missing in {missing}"


def test_every_state_is_reachable_and_every_destination_exists() -> None:
    destinations = {t["dest"] for t in TRANSITIONS if t["dest"] is not None}
    assert destinations <= set(STATE_NAMES)
    assert set(STATE_NAMES) - destinations <= {"idle"}  # idle is the initial state (and cancel leads there too)


def test_callbacks_named_in_the_data_exist_on_the_model() -> None:
    from dialogs.recovery import RecoveryDialog

    named = {t[key] for t in TRANSITIONS for key in ("before", "after") if key in t}
    named |= {s["on_enter"] for s in STATES if "on_enter" in s}
    assert all(callable(getattr(RecoveryDialog, name, None)) for name in named)


def test_one_machine_is_shared_and_holds_no_models() -> None:
    # Models are attached per message (trigger on a restored object), never registered on the machine.
    assert MACHINE.models == []
