"""The generated conversation diagram covers the dialog data, and docs/dialog.md is up to date."""

from __future__ import annotations

import re
from pathlib import Path

from dialogs import diagram
from dialogs.recovery import GLOBAL_EVENTS, INITIAL, STATES, TRANSITIONS


def test_every_state_and_non_global_trigger_is_drawn() -> None:
    text = diagram.mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert f"[*] --> {INITIAL}" in text
    for state in STATES:
        assert re.search(rf"\b{state['name']}\b", text), state["name"]
    for transition in TRANSITIONS:
        if transition["trigger"] not in diagram.EVERY_STATE_EVENTS:
            assert re.search(rf"\b{transition['trigger']}\b", text), transition["trigger"]


def test_one_edge_per_source_trigger_dest() -> None:
    text = diagram.mermaid()
    for source, trigger, dest in diagram.edges():
        label = diagram.label(source, trigger, dest)
        assert label.startswith(trigger if dest else f"({trigger})")
        assert text.count(f"    {source} --> {dest or source}: {label}\n") == 1
    drawn_triggers = {trigger for _, trigger, _ in diagram.edges()}
    assert not drawn_triggers & set(GLOBAL_EVENTS), "global commands are summarised, not drawn per state"


def test_docs_dialog_md_is_up_to_date(tmp_path: Path) -> None:
    assert diagram.DOC_PATH.read_text(encoding="utf-8") == diagram.document(), "run `make diagram`"
    target = tmp_path / "dialog.md"
    assert diagram.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == diagram.document()


def test_readme_shows_the_current_diagram() -> None:
    readme = diagram.README_PATH.read_text(encoding="utf-8")
    assert diagram.with_readme_block(readme) == readme, "run `make diagram`"


def test_an_event_with_conditions_shows_them_on_its_edges() -> None:
    text = diagram.mermaid()
    assert "    verified --> done: conclude if wants_unlock\n" in text
    assert "    verified --> awaiting_reset: conclude unless wants_unlock\n" in text
