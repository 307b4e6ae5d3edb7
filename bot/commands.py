"""Global commands that work in every state: help, cancel, restart, and asking for a person."""

from __future__ import annotations

from dialogs.understanding import normalise, read_intents

__all__ = ["global_command"]

_EXACT = {
    "help": {"help", "?", "menu", "options", "help me", "what can you do"},
    "cancel": {"cancel", "stop", "quit", "exit", "never mind", "nevermind", "forget it", "abort"},
    "restart": {"restart", "start over", "start again", "begin again", "reset chat", "/start"},
}
_MAX_AGENT_WORDS = 10  # a long message that mentions "support" is usually about something else


def global_command(text: str) -> str | None:
    """The global event a message asks for, or None. Whole-message match for help/cancel/restart, so
    "I need help with my password" is not a help request; "agent"/"a human"/"help desk" anywhere in a
    short message asks for a person."""
    clean = normalise(text).strip(" .!")
    for event, phrases in _EXACT.items():
        if clean in phrases:
            return event
    if len(clean.split()) <= _MAX_AGENT_WORDS and "agent" in read_intents(clean):
        return "handoff"
    return None
