"""Free text to intents: keywords and phrases, tolerant of case, punctuation and small typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from core.directory import contacts
from core.i18n import gettext
from dialogs import understanding_es_de as es_de

__all__ = [
    "Intent",
    "asks_for_a_person",
    "code_shaped",
    "find_identifier",
    "fold",
    "is_greeting",
    "is_switch_request",
    "looks_like_a_code",
    "looks_like_a_name",
    "match_choice",
    "normalise",
    "read_intents",
    "similar",
]

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
for _table, _more in ((_PHRASES, es_de.PHRASES), (_WORDS, es_de.WORDS)):  # Spanish and German, same intents
    for _intent, _extra in _more.items():
        _table[_intent] = (*_table.get(_intent, ()), *_extra)
_TOKEN = re.compile(r"[a-z0-9?']+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(text.split())


def fold(text: str) -> str:
    """Accents and umlauts dropped ("contraseña" -> "contrasena", "zurücksetzen" -> "zurucksetzen"): people
    often type without them, and the Spanish and German keywords are written folded."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def similar(word: str, keyword: str) -> bool:
    """The same word, or a near miss of a long one (a typo)."""
    if word == keyword:
        return True
    if len(keyword) < 5 or len(word) < 4:  # short words only match exactly: "no" must not be "now"
        return False
    return SequenceMatcher(None, word, keyword).ratio() >= 0.8


@lru_cache(maxsize=8192)
def _word_intents(word: str) -> frozenset[Intent]:
    """Intents one word (or a near miss of it) signals. Cached: fuzzy matching is the costly part of a turn,
    and people reuse few words; the bound keeps a flood of random words from growing memory."""
    return frozenset(intent for intent, keywords in _WORDS.items() if any(similar(word, k) for k in keywords))


def read_intents(text: str) -> set[Intent]:
    """All intents the message mentions; the dialog decides which matter in its state."""
    clean = fold(normalise(text))
    found = {intent for intent, phrases in _PHRASES.items() if any(p in clean for p in phrases)}
    for word in _TOKEN.findall(clean[:500]):
        found |= _word_intents(word[:40])
    return found


def asks_for_a_person(text: str) -> bool:
    """Only the explicit phrases ("a human", "help desk", "talk to a ..."), never a lone word like "agent"."""
    clean = fold(normalise(text))
    return any(phrase in clean for phrase in _PHRASES["agent"])


def match_choice(text: str, choices: Sequence[Sequence[str]]) -> str | None:
    """The value of the choice a message picks: its number ("2"), its value, or its label (fuzzily), the label
    as shown in the conversation's language or in English."""
    clean = fold(normalise(text)).strip(" .!¡¿?")
    if _OPTION_NUMBER.match(clean):  # "2", never "000002" or a code: only a small option number picks one
        return choices[int(clean) - 1][1] if int(clean) <= len(choices) else None
    named = [(fold(normalise(shown)), value) for label, value in choices for shown in {label, gettext(label)}]
    for label, value in [*named, *((fold(normalise(value)), value) for _, value in choices)]:
        if clean == label:
            return value
    scored = [(SequenceMatcher(None, clean, label).ratio(), value) for label, value in named]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= 0.75 else None


# -- greetings, identifiers in a sentence, names and codes -------------------------------------------------

_OPTION_NUMBER = re.compile(r"^[1-9]\d?$")
_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|afternoon"
    rf"|{es_de.GREETINGS})"
    r"(?: there| all| team| everyone| resetdesk| bot| a todos| zusammen)?[\s!.,:)]*$"
)
_NOT_A_SENTENCE = re.compile(r"--|[;=<>{}`\\|*%/]")
_CODE = re.compile(r"^[\d\s.-]+$")
_ID_TOKEN = re.compile(r"^[\w.@+-]{2,64}$")
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")
# Words around an identifier in a sentence ("my id is E1001", "it's jsmith, I forgot my password"): never one.
_FILLER_WORDS = """
    a about access account address afternoon am an and any are as at be been but can can't cannot could day do does
    don't e-mail email employee evening for forgot forgotten from get good got had has have hello help hey hi hiya
    how i i'm id im in is isn't it it's its just locked log login me mine mobile morning my name need no not number
    of ok okay on or out password phone please reset sign signin so sorry staff sure thank thanks that the there
    this to unlock up us user username want was we what when where which who why will with work would yes yo you
    your
"""
_FILLER = frozenset(_FILLER_WORDS.split()) | es_de.FILLER
# The word right after one of these is meant as the identifier: "it's jsmith", "locked out - jsmith".
_CUED = re.compile(
    r"(?:\b(?:id|username|user name|user|e-?mail|login)(?:\s+is)?|\bit's|\bit is|\bi am|\bi'm|\bthis is|[:—–]|\s-"
    r"|\b(?:soy|usuario(?:\s+es)?|ich bin|benutzername(?:\s+ist)?|personalnummer(?:\s+ist)?))"
    r"\s*[:—–-]?\s*([^\s,;]+)"
)
_EDGES = ".,;:!?\"'()[]<>—–"
# While a question is asked any words may be an answer, so only these exact requests leave the questions.
_SWITCH_REQUESTS = frozenset(
    {"another way", "other way", "different way", "another method", "other method", "different method",
     "switch method", "change method", "switch", "another way please"}
)  # fmt: skip


def is_greeting(text: str) -> bool:
    """A message that only says hello ("hi", "Good morning!", "hey there")."""
    return _GREETING.match(fold(normalise(text)).lstrip("¡")) is not None


def is_switch_request(text: str) -> bool:
    """The exact "another way" requests understood while a question is asked (any other words may be an answer)."""
    clean = fold(normalise(text)).strip(" .!")
    return clean in _SWITCH_REQUESTS or clean in es_de.SWITCH_REQUESTS


def code_shaped(text: str) -> bool:
    """Only digits (at least one), spaced, dotted or dashed: what the code prompt checks as a code."""
    return _CODE.match(text.strip()) is not None and any(ch.isdigit() for ch in text)


def looks_like_a_code(text: str) -> bool:
    """Code-shaped, with as many digits as a one-time code has (4 to 10): never an option number."""
    return code_shaped(text) and 4 <= sum(ch.isdigit() for ch in text) <= 10


def _words(text: str) -> list[str]:
    return [w.strip(_EDGES) for w in text.split() if w.strip(_EDGES)]


def find_identifier(text: str, *, loose: bool) -> str | None:
    """The employee ID, username, email or phone number a message gives, or None.

    A word that cannot be an ordinary one (with a digit or an "@") or a phone number is found anywhere ("my id
    is E1001", "I forgot my password, E1001"); a plain word only when it is the one word left once the words
    around it are set aside and it follows a cue ("it's jsmith", "locked out - jsmith"), or, with `loose` (the
    identifier was just asked for), when the message is that word alone or with one other ("jsmith please").
    """
    clean = unicodedata.normalize("NFKC", text).strip()
    if contacts.phone_digits(clean) is not None or (_ID_TOKEN.match(clean) and loose):
        return clean
    if _NOT_A_SENTENCE.search(clean):  # code or markup ("E1001'; DROP TABLE ..."): nothing is picked out of it
        return None
    meaningful = [w for w in _words(clean) if normalise(w) not in _FILLER]
    words = [w for w in meaningful if _ID_TOKEN.match(w)]
    marked = [w for w in words if _marked(w)]
    if len(marked) == 1:
        return marked[0]
    phone = _phone_in(clean)
    if phone is not None:
        return phone
    if len(meaningful) != 1 or len(words) != 1 or marked:
        return None
    cued = {m.strip(_EDGES) for m in _CUED.findall(normalise(clean))}
    short = loose and len(clean.split()) <= 2  # "jsmith please"
    return words[0] if short or normalise(words[0]) in cued else None


def _marked(word: str) -> bool:
    """A word no sentence has by chance: letters and digits (E1001), an "@", or a long number (not "10", "2023")."""
    digits = sum(ch.isdigit() for ch in word)
    return "@" in word or (0 < digits < len(word) and any(ch.isalpha() for ch in word)) or digits >= 5


def _phone_in(text: str) -> str | None:
    """A phone number inside a sentence, when there is exactly one."""
    runs = re.findall(r"\+?[\d][\d\s().-]{5,}\d", text)
    found = [run for run in runs if contacts.phone_digits(run) is not None]
    return max(found, key=len) if len(found) == 1 else None


def looks_like_a_name(text: str) -> bool:
    """A full name given instead of an ID ("John Smith", "my name is Jane van Dyke")."""
    words = [w for w in _words(unicodedata.normalize("NFKC", text)) if normalise(w) not in _FILLER]
    return 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words)
