"""Free text to intents: keywords and phrases, tolerant of case, punctuation and small typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

__all__ = ["Intent", "asks_for_a_person", "match_choice", "normalise", "read_intents"]

Intent = str

# Phrases are matched inside the message; words also fuzzily against each word of it.
_PHRASES: dict[Intent, tuple[str, ...]] = {
    "agent": ("help desk", "helpdesk", "real person", "a person", "a human", "talk to someone", "live support",
              "talk to a", "speak to", "service desk", "it support"),
    "reset": ("forgot my password", "new password", "change my password", "reset my password", "can't log in",
              "cannot log in", "can't sign in", "cannot sign in"),
    "unlock": ("locked out", "account locked", "unlock my account", "account is locked"),
    "none": ("none of these", "none of them", "can't use", "cannot use", "no access", "don't have", "do not have"),
    "resend": ("send again", "send it again", "didn't get", "did not get", "didnt get", "new code", "another code",
               "not received", "no code"),
    "switch": ("another way", "other way", "different way", "another method", "other method", "different method",
               "change method", "something else"),
    "restart": ("start over", "start again", "begin again", "from the beginning"),
    "cancel": ("never mind", "nevermind", "forget it"),
    "sms": ("text me", "text message", "by text", "my phone", "my mobile"),
    "email": ("e-mail", "by mail", "my inbox"),
    "questions": ("security questions", "challenge questions", "secret questions"),
    "enroll": ("backup way", "add a backup", "add my phone", "add a phone", "add my mobile", "add a mobile",
               "add my email", "add an email", "add my number", "add a number", "change my phone",
               "change my mobile", "change my email", "update my phone", "update my mobile", "update my email",
               "set up security questions", "set security questions", "set my security questions",
               "change my security questions"),
}  # fmt: skip
_WORDS: dict[Intent, tuple[str, ...]] = {
    "agent": ("agent", "human", "person", "operator", "someone", "somebody", "helpdesk", "support"),
    "reset": ("reset", "forgot", "forgotten", "password", "passwd", "pw", "expired"),
    "unlock": ("unlock", "locked", "lockout", "blocked", "disabled"),
    "help": ("help", "?", "how", "what", "confused"),
    "cancel": ("cancel", "stop", "quit", "exit", "abort"),
    "restart": ("restart",),
    "resend": ("resend", "again"),
    "switch": ("switch", "other", "another", "different", "back"),
    "sms": ("sms", "text", "txt", "phone", "mobile", "cell"),
    "email": ("email", "mail", "inbox"),
    "questions": ("questions", "question", "security", "challenge"),
    "none": ("none", "neither", "nothing"),
    "yes": ("yes", "yeah", "yep", "y", "sure", "ok", "okay", "correct", "right"),
    "no": ("no", "nope", "n", "wrong", "not"),
    "other": ("else", "other", "different"),
    "enroll": ("enroll", "enrol", "enrollment", "enrolment"),
}
_TOKEN = re.compile(r"[a-z0-9?']+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(text.split())


def _similar(word: str, keyword: str) -> bool:
    if word == keyword:
        return True
    if len(keyword) < 5 or len(word) < 4:  # short words only match exactly: "no" must not be "now"
        return False
    return SequenceMatcher(None, word, keyword).ratio() >= 0.8


@lru_cache(maxsize=8192)
def _word_intents(word: str) -> frozenset[Intent]:
    """Intents one word (or a near miss of it) signals. Cached: fuzzy matching is the costly part of a turn,
    and people reuse few words; the bound keeps a flood of random words from growing memory."""
    return frozenset(intent for intent, keywords in _WORDS.items() if any(_similar(word, k) for k in keywords))


def read_intents(text: str) -> set[Intent]:
    """All intents the message mentions; the dialog decides which matter in its state."""
    clean = normalise(text)
    found = {intent for intent, phrases in _PHRASES.items() if any(p in clean for p in phrases)}
    for word in _TOKEN.findall(clean[:500]):
        found |= _word_intents(word[:40])
    return found


def asks_for_a_person(text: str) -> bool:
    """Only the explicit phrases ("a human", "help desk", "talk to a ..."), never a lone word like "agent"."""
    clean = normalise(text)
    return any(phrase in clean for phrase in _PHRASES["agent"])


def match_choice(text: str, choices: Sequence[Sequence[str]]) -> str | None:
    """The value of the choice a message picks: its number ("2"), its value, or its label (fuzzily)."""
    clean = normalise(text).strip(" .!")
    if clean.isdigit() and 1 <= int(clean) <= len(choices):
        return choices[int(clean) - 1][1]
    for label, value in choices:
        if clean in (normalise(value), normalise(label)):
            return value
    scored = [(SequenceMatcher(None, clean, normalise(label)).ratio(), value) for label, value in choices]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= 0.75 else None
