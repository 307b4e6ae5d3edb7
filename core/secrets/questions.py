"""Challenge questions: a fixed pool, normalised answers hashed with argon2id."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.i18n import N_

__all__ = ["QUESTION_POOL", "Question", "find_question", "normalise_answer"]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str  # English, and the catalogs' msgid: the dialog shows it in the conversation's language


QUESTION_POOL: tuple[Question, ...] = (
    Question("first_pet", N_("What was the name of your first pet?")),
    Question("birth_city", N_("In what city were you born?")),
    Question("first_school", N_("What was the name of your first school?")),
    Question("first_car", N_("What was the make of your first car?")),
    Question("childhood_street", N_("What street did you live on as a child?")),
    Question("mother_maiden", N_("What is your mother's maiden name?")),
    Question("favourite_teacher", N_("What was the surname of your favourite teacher?")),
    Question("first_job_city", N_("In what city did you have your first job?")),
)
_BY_KEY = {q.id: q for q in QUESTION_POOL} | {
    unicodedata.normalize("NFKC", q.text).casefold(): q for q in QUESTION_POOL
}
_SPACES = re.compile(r"\s+")


def find_question(id_or_text: str) -> Question | None:
    """A pool question by its id or its exact text (case-insensitive)."""
    key = unicodedata.normalize("NFKC", id_or_text.strip()).casefold()
    return _BY_KEY.get(key)


def normalise_answer(answer: str) -> str:
    """NFKC, casefold, trimmed, inner whitespace collapsed: "  Rex  the  Dog" == "rex the dog"."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", answer).casefold()).strip()
