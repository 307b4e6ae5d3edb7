"""The system lines on a ticket's chat (an agent joined, a code or link was sent, the ticket closed), in the
reading agent's language.

A line is stored in English, filled in from one of the templates below (each a catalog msgid), so a ticket row
needs no language and rows written before this module still read. `in_words` recognises a stored line by its
template and words it again with the template's translation; a line matching none is shown as stored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from core.i18n import N_, gettext

__all__ = ["CLOSED", "CODE_NOT_SENT", "CODE_SENT", "JOINED", "LEFT", "LINK_SENT", "in_words", "line"]

JOINED = N_("{agent} from IT support joined.")
CLOSED = N_("Ticket closed by {agent}: {outcome}.")
LEFT = N_("The person left the chat.")
CODE_SENT = N_("A code was sent by {method} ({agent}).")
CODE_NOT_SENT = N_("A code was NOT sent by {method} ({agent}).")
LINK_SENT = N_("A reset link was sent to the person by {agent}.")
_TEMPLATES = (JOINED, CLOSED, LEFT, CODE_SENT, CODE_NOT_SENT, LINK_SENT)

# Values that are words themselves (a closing outcome, a method) are translated too; names stay as they are.
_VALUE_WORDS = {
    "outcome": {"resolved": N_("resolved"), "unresolved": N_("not resolved"), "returned": N_("returned to the bot")},
    "method": {"email": N_("email"), "sms": N_("SMS")},
}


def line(template: str, **values: Any) -> str:
    """The English line to store: `template` filled in."""
    return template.format(**values)


def in_words(stored: str) -> str:
    """A stored system line in the current language."""
    for template, pattern in _patterns():
        match = pattern.fullmatch(stored)
        if match is not None:
            values = {name: _value_in_words(name, value) for name, value in match.groupdict().items()}
            return gettext(template).format(**values)
    return stored


def _value_in_words(name: str, value: str) -> str:
    words = _VALUE_WORDS.get(name, {}).get(value)
    return gettext(words) if words is not None else value


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each template as a regular expression, its placeholders as named groups (a name may hold any text)."""
    compiled = []
    for template in _TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, ...
        regex = "".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        compiled.append((template, re.compile(regex, re.DOTALL)))
    return tuple(compiled)
