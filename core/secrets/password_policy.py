"""The new-password rule (NIST SP 800-63B): length, not known breached, guessability; never composition rules.

Passwords are NFKC-normalised before they are counted, checked or hashed, so "ｐａｓｓ" typed on a
full-width keyboard and "pass" are the same password, and set/verify always agree.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zxcvbn import zxcvbn

from core.i18n import N_, gettext, ngettext
from core.secrets import strength_feedback
from core.secrets.breached import BreachedPasswords

__all__ = ["BREACHED", "PasswordPolicy", "PolicyResult", "normalise_password"]

# zxcvbn's matching is super-linear, so it only ever sees this many code points at a time.
_ZXCVBN_WINDOW = 72
_MIN_PERSONAL_WORD = 3
_WORD_SPLIT = re.compile(r"[^\w]+|_")
# zxcvbn keeps user_inputs in a module-level dictionary while it scores, so two threads checking
# different people's passwords at once could see each other's words; serialise the calls.
_ZXCVBN_LOCK = threading.Lock()

_COMMON = N_(
    "This is a common password (or close to one) that attackers try first; choose something nobody else would."
)
_GUESSABLE = N_("This password is too easy to guess; make it longer or less predictable.")
# BREACHED and the rest are msgids: read them through gettext, in the language of the page or turn.
BREACHED = N_(
    "This password is on a list of passwords exposed in data breaches, so attackers try it first; "
    "choose one nobody else uses."
)


def normalise_password(password: str) -> str:
    """NFKC: the single form a password is checked, hashed and verified in."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True, slots=True)
class PolicyResult:
    ok: bool
    score: int  # zxcvbn 0-4; 0 when the length rule already failed (zxcvbn is not run)
    problems: tuple[str, ...] = ()  # sentences a person can act on; never the password itself
    suggestions: tuple[str, ...] = ()

    def refused_because(self, problem: str) -> PolicyResult:
        """The same verdict with one more problem (a rule checked outside the policy, such as history)."""
        return PolicyResult(False, self.score, (*self.problems, problem), self.suggestions)


class PasswordPolicy:
    def __init__(
        self,
        min_length: int = 12,
        max_length: int = 128,
        min_strength: int = 3,
        breached: BreachedPasswords | None = None,
    ) -> None:
        if not 1 <= min_length <= max_length:
            raise ValueError("min_length must be between 1 and max_length")
        if not 0 <= min_strength <= 4:
            raise ValueError("min_strength must be between 0 and 4")
        self.min_length = min_length
        self.max_length = max_length
        self.min_strength = min_strength
        self.breached = breached if breached is not None else BreachedPasswords()

    def check(self, password: str, personal_words: Sequence[str] = ()) -> PolicyResult:
        candidate = normalise_password(password)
        words = _personal_words(personal_words)
        problems: list[str] = []
        suggestions: list[str] = []
        length = len(candidate)  # code points, after NFKC
        if length < self.min_length:
            problems.append(
                ngettext(
                    "Use at least {minimum} character (this one has {length}). "
                    "A few unrelated words make a long password that is easy to remember.",
                    "Use at least {minimum} characters (this one has {length}). "
                    "A few unrelated words make a long password that is easy to remember.",
                    self.min_length,
                ).format(minimum=self.min_length, length=length)
            )
        elif length > self.max_length:
            problems.append(
                gettext("Use at most {maximum} characters (this one has {length}).").format(
                    maximum=self.max_length, length=length
                )
            )

        if any(unicodedata.category(ch) == "Cc" for ch in candidate):
            # NUL cuts a password short in C-based systems (LDAP servers, PAM), so what is saved would not be what
            # was typed; other control characters can't be typed reliably at every sign-in screen.
            problems.append(
                gettext("Leave out control characters (such as NUL or tab); they can't be typed at every sign-in.")
            )

        folded = candidate.casefold()
        if any(word in folded for word in words):
            problems.append(
                gettext(
                    "Leave out your name, username, employee ID and email address; "
                    "they are the first things an attacker tries."
                )
            )

        score = 0
        if self.min_length <= length <= self.max_length:
            breached = self.breached.is_breached(candidate)
            if breached:
                problems.append(gettext(BREACHED))
            result = _strength(candidate, words)
            score = int(result["score"])
            if score < self.min_strength and not breached:  # "breached" already says attackers try it
                problems.append(gettext(_COMMON if _is_common(result) else _GUESSABLE))
            if score < self.min_strength:
                feedback = result.get("feedback", {})
                said = [feedback.get("warning") or "", *feedback.get("suggestions", ())]
                suggestions.extend(words for words in map(strength_feedback.in_words, map(str, said)) if words)
        if problems and not suggestions and length <= self.max_length:
            suggestions.append(gettext("Try a passphrase of four or more unrelated words."))
        return PolicyResult(
            ok=not problems,
            score=score,
            problems=tuple(problems),
            suggestions=tuple(dict.fromkeys(suggestions)),
        )


def _personal_words(words: Sequence[str]) -> list[str]:
    """Each word, and each part of it ("j.smith" -> "j.smith", "smith"), NFKC-casefolded, >= 3 chars."""
    found: list[str] = []
    for word in words:
        if not word:
            continue
        folded = unicodedata.normalize("NFKC", str(word)).casefold().strip()
        for part in [folded, *_WORD_SPLIT.split(folded)]:
            if len(part) >= _MIN_PERSONAL_WORD and part not in found:
                found.append(part)
    return found


def _strength(candidate: str, words: list[str]) -> dict[str, Any]:
    """zxcvbn on at most two bounded windows (head and tail); the stronger one stands for the whole."""
    windows = [candidate[:_ZXCVBN_WINDOW]]
    if len(candidate) > _ZXCVBN_WINDOW:
        windows.append(candidate[-_ZXCVBN_WINDOW:])
    results = []
    with _ZXCVBN_LOCK:
        for window in windows:
            results.append(zxcvbn(window, user_inputs=words, max_length=_ZXCVBN_WINDOW))
    return max(results, key=lambda r: int(r["score"]))


def _is_common(result: dict[str, Any]) -> bool:
    """A match against zxcvbn's list of leaked passwords, or a keyboard walk like "qwerty"."""
    for match in result.get("sequence", ()):
        if match.get("pattern") == "dictionary" and match.get("dictionary_name") == "passwords":
            if len(match.get("token", "")) >= 4:
                return True
        elif match.get("pattern") == "spatial":
            return True
    return False
