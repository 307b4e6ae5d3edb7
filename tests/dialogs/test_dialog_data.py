"""Checks on the dialog *data*: what every state must offer, whatever its prompts say, and that the typed
vocabulary (State, its sets, READERS, button values) agrees with the transitions table."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from dialogs import prompts
from dialogs.flow import PASS_THROUGH
from dialogs.readers import READERS, Readers, reader_for
from dialogs.recovery import GLOBAL_EVENTS, MACHINE, STATES, TRANSITIONS, RecoveryDialog
from dialogs.states import AWAITS_MESSAGE, INITIAL, NEVER_EXPIRES, RESTING, SECRET_STATES, State

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
    keys = ("before", "after", "conditions", "unless")
    named = {n for t in TRANSITIONS for k in keys if k in t for n in ([t[k]] if isinstance(t[k], str) else t[k])}
    named |= {s["on_enter"] for s in STATES if "on_enter" in s}
    assert all(callable(getattr(RecoveryDialog, name, None)) for name in named)


def test_one_machine_is_shared_and_holds_no_models() -> None:
    # Models are attached per message (trigger on a restored object), never registered on the machine.
    assert MACHINE.models == []


def test_the_machine_knows_each_state_by_its_stored_string() -> None:
    # transitions would name an Enum member's state by its *name* ("IDLE"); rows hold the value ("idle").
    assert set(MACHINE.states) == {state.value for state in State}
    assert MACHINE.initial == INITIAL.value == "idle"


def test_every_state_a_conversation_waits_in_has_a_reader_and_no_reader_is_stale() -> None:
    assert set(READERS) == AWAITS_MESSAGE, "READERS must cover exactly the states a message can arrive in"
    assert set(State) - set(PASS_THROUGH) == AWAITS_MESSAGE
    readers = {name for name, member in inspect.getmembers(Readers, inspect.isfunction) if name.startswith("read_")}
    assert "read_enroll_offer" in readers  # the enrollment readers are inherited (dialogs/enrollment_readers.py)
    assert {reader.__name__ for reader in READERS.values()} == readers, "a read_* method no state uses"
    assert reader_for("verified") is Readers.read_start  # never rested in; read like a fresh start


def test_the_sets_bot_uses_are_states_with_the_meaning_they_claim() -> None:
    assert {State.IDLE, State.DONE} == RESTING and INITIAL in RESTING
    assert RESTING | {State.HANDOFF} == NEVER_EXPIRES
    assert {State.ENTER_CODE, State.ANSWER_QUESTIONS, State.ENROLL_CONTACT_CODE, State.ENROLL_ANSWER} == SECRET_STATES
    assert not SECRET_STATES & NEVER_EXPIRES


def test_a_pass_through_state_leads_on_by_conditions_the_table_shows() -> None:
    for state, event in PASS_THROUGH.items():
        edges = [t for t in TRANSITIONS if t["trigger"] == event]
        assert edges and all(t["source"] == state for t in edges)
        # exactly one edge applies whatever the condition says: the last two are `conditions` and `unless` it;
        # edges before them only narrow one of those (the enrollment offer after an unlock)
        guards = [(t.get("conditions"), t.get("unless")) for t in edges]
        assert sorted(guards[-2:], key=str) == sorted([("wants_unlock", None), (None, "wants_unlock")], key=str)
        assert all(isinstance(c, list) and "wants_unlock" in c and u is None for c, u in guards[:-2])
    assert not any(
        "fire" in inspect.getsource(getattr(RecoveryDialog, s["on_enter"])) for s in STATES if "on_enter" in s
    )


def test_button_values_are_named_constants_not_literals() -> None:
    """Choice values live in prompts.Choice: no (label, "value") button literal, and no `choice == "value"`."""
    values = {v for k, v in vars(prompts.Choice).items() if not k.startswith("_")}
    root = Path(__file__).resolve().parents[2]
    for path in [*sorted((root / "dialogs").glob("*.py")), root / "bot" / "engine.py", root / "bot" / "transcript.py"]:
        if path.name == "prompts.py":  # where they are defined
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_types = {id(n) for sub in ast.walk(tree) if isinstance(sub, ast.Subscript) for n in ast.walk(sub.slice)}
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 and id(node) not in in_types:
                assert not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts) or (
                    _string(node.elts[1]) not in values
                ), f"a button literal at {where}"
            if isinstance(node, ast.Compare):
                names = {n.id for n in (node.left, *node.comparators) if isinstance(n, ast.Name)}
                if names & {"choice", "answer"}:
                    constants = {_string(n) for n in (node.left, *node.comparators)}
                    assert not constants & values, f"a choice compared with a literal at {where}"


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
