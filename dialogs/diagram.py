"""The recovery conversation as a Mermaid `stateDiagram-v2`, generated from the same STATES and TRANSITIONS
the machine is built from. `python -m dialogs.diagram` (or `make diagram`) writes docs/dialog.md.

Global commands (help, cancel, restart, hand-off) and "unclear" work in every state, so they are summarised
in a note instead of drawn as an edge from each state. Internal transitions (dest None) are drawn as
self-loops labelled with the trigger in brackets.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dialogs.flow import GLOBAL_EVENTS, INITIAL, STATES, TRANSITIONS

__all__ = ["DOC_PATH", "EVERY_STATE_EVENTS", "document", "edges", "label", "main", "mermaid"]

README_PATH = Path(__file__).resolve().parent.parent / "README.md"
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "dialog.md"

# Events whose transitions cover (almost) every state: summarised in a note, not drawn per state.
EVERY_STATE_EVENTS = (*GLOBAL_EVENTS, "unclear")

_NOTE = (
    "In every state",
    "help - answers, the state stays",
    "cancel - back to idle",
    "restart - back to need",
    "agent - to handoff (also when verification locks or no method is usable)",
    "unclear - asks again, the third in a row hands off",
)


def _as_list(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def edges(transitions: Iterable[dict[str, Any]] = TRANSITIONS) -> list[tuple[str, str, str | None]]:
    """(source, trigger, dest) per drawn edge, in table order, without duplicates or every-state events.

    dest is None for an internal transition (the state does not change and on_enter does not run).
    """
    seen: set[tuple[str, str, str | None]] = set()
    out: list[tuple[str, str, str | None]] = []
    for transition in transitions:
        trigger = transition["trigger"]
        if trigger in EVERY_STATE_EVENTS:
            continue
        for source in _as_list(transition["source"]):
            edge = (source, trigger, transition.get("dest"))
            if edge not in seen:
                seen.add(edge)
                out.append(edge)
    return out


def label(source: str, trigger: str, dest: str | None, transitions: Iterable[dict[str, Any]] = TRANSITIONS) -> str:
    """An edge's label: the trigger, with the condition that picks this edge ("conclude if wants_unlock"),
    or in brackets for an internal transition."""
    if dest is None:
        return f"({trigger})"
    for transition in transitions:
        if (transition["trigger"], transition.get("dest")) == (trigger, dest) and source in _as_list(
            transition["source"]
        ):
            guards = [f"if {c}" for c in _as_list(transition.get("conditions", []))]
            guards += [f"unless {c}" for c in _as_list(transition.get("unless", []))]
            return " ".join([trigger, *guards])
    return trigger


def mermaid() -> str:
    """The dialog as a Mermaid stateDiagram-v2 (no fences)."""
    names = [state["name"] for state in STATES]
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL}"]
    for source, trigger, dest in edges():
        lines.append(f"    {source} --> {dest or source}: {label(source, trigger, dest)}")
    drawn = {name for edge in edges() for name in (edge[0], edge[2]) if name}
    lines.extend(f"    {name}" for name in names if name not in drawn and name != INITIAL)
    handoff = next(t["dest"] for t in TRANSITIONS if t["trigger"] == "handoff" and t.get("dest"))
    lines.append(f"    note left of {handoff}")
    lines.extend(f"        {line}" for line in _NOTE)
    lines.append("    end note")
    return "\n".join(lines) + "\n"


def document() -> str:
    """The full text of docs/dialog.md."""
    return (
        "# The recovery conversation\n\n"
        "Generated from `dialogs/flow.py` (STATES and TRANSITIONS) by `make diagram`; do not edit by hand.\n"
        "Edge labels are the outcome events the dialog reads from each message; labels in brackets are\n"
        "internal transitions (the state stays, a reply is sent); `if` and `unless` name the condition that\n"
        "picks between the edges of one event.\n\n"
        f"```mermaid\n{mermaid()}```\n"
    )


def with_readme_block(readme: str) -> str:
    """README text with its ```mermaid block replaced by the current diagram."""
    start = readme.index("```mermaid\n") + len("```mermaid\n")
    end = readme.index("```", start)
    return readme[:start] + mermaid() + readme[end:]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document(), encoding="utf-8")
    print(f"wrote {path}")
    if not args:
        README_PATH.write_text(with_readme_block(README_PATH.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated the diagram in {README_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
