"""Global commands that work in every state: help, cancel, restart, and asking for a person."""

from __future__ import annotations

from dialogs.understanding import asks_for_a_person, fold, normalise, read_intents
from dialogs.understanding_es_de import EXACT_COMMANDS

__all__ = ["exact_command", "global_command"]

_EXACT = {
    "help": {"help", "?", "menu", "options", "help me", "what can you do"},
    "cancel": {"cancel", "stop", "quit", "exit", "never mind", "nevermind", "forget it", "abort"},
    "restart": {"restart", "start over", "start again", "begin again", "reset chat", "/start"},
}
_EXACT_AGENT = {
    "agent", "human", "a human", "person", "a person", "help desk", "helpdesk", "support", "it support",
    "operator", "real person", "a real person", "talk to a person", "talk to a human", "talk to someone",
    "talk to an agent", "i want a human", "i want to talk to a person",
}  # fmt: skip
_MAX_AGENT_WORDS = 10  # a long message that mentions "support" is usually about something else


def exact_command(text: str) -> str | None:
    """The global event a whole message is, word for word ("help", "cancel", "a human"), or None."""
    clean = normalise(text).strip(" .!")
    for event, phrases in _EXACT.items():
        if clean in phrases:
            return event
    if clean in _EXACT_AGENT:
        return "handoff"
    folded = fold(clean).strip("¡¿?")  # the same commands in Spanish and German (dialogs/understanding_es_de.py)
    return next((event for event, phrases in EXACT_COMMANDS.items() if folded in phrases), None)


def global_command(text: str, *, exact_only: bool = False) -> str | None:
    """The global event a message asks for, or None. Whole-message match for help/cancel/restart, so
    "I need help with my password" is not a help request; "agent"/"a human"/"help desk" anywhere in a
    short message asks for a person. With `exact_only` (while a code, an answer or an ID is expected, any
    words may be one: "Secret agent" is an answer) only exact commands and explicit phrases count."""
    exact = exact_command(text)
    if exact is not None:
        return exact
    clean = normalise(text).strip(" .!")
    if exact_only and asks_for_a_person(clean):
        return "handoff"
    if not exact_only and len(clean.split()) <= _MAX_AGENT_WORDS and "agent" in read_intents(clean):
        return "handoff"
    return None
