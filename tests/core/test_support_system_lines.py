"""A ticket's system lines are stored in English and shown in the reading agent's language, names untouched."""

from __future__ import annotations

from core.i18n import use_language
from core.support.system_lines import CLOSED, CODE_SENT, JOINED, LEFT, in_words, line


def test_a_stored_line_is_worded_in_the_agents_language_with_the_name_as_typed() -> None:
    stored = line(JOINED, agent="Ana (night shift): {x}")  # a display name may hold anything
    assert stored == "Ana (night shift): {x} from IT support joined."
    with use_language("de"):
        assert in_words(stored) == "Ana (night shift): {x} vom IT-Support ist beigetreten."
    with use_language("es"):
        assert in_words(line(LEFT)) == "La persona ha salido del chat."
    assert in_words(stored) == stored  # English: as stored


def test_words_inside_a_line_are_translated_too() -> None:
    with use_language("es"):
        assert in_words(line(CLOSED, agent="Sam", outcome="unresolved")) == "Ticket cerrado por Sam: sin resolver."
    with use_language("de"):
        assert in_words(line(CODE_SENT, method="email", agent="Sam")) == "Ein Code wurde per E-Mail gesendet (Sam)."


def test_a_line_that_matches_no_template_is_shown_as_stored() -> None:
    with use_language("de"):
        assert in_words("Something an older version wrote.") == "Something an older version wrote."
