"""PasswordPolicy: NIST 800-63B length, breached and guessability rules, NFKC, personal words."""

from __future__ import annotations

import time
import unicodedata

import pytest

from core.secrets.breached import BreachedPasswords
from core.secrets.password_policy import BREACHED, PasswordPolicy, PolicyResult, normalise_password

PERSONAL = ["E1001", "Alice", "Smith", "asmith", "alice.smith"]
STRONG_12 = "Tq8#vZ2!mK4p"
EMOJI = "🍎🚲🎻🌋🦉🧭🪁🎲🧊🛶🦔🪐"  # 12 distinct single-code-point emoji


@pytest.fixture
def policy() -> PasswordPolicy:
    return PasswordPolicy()


def _texts(result: PolicyResult) -> str:
    return "\n".join(result.problems + result.suggestions)


def _said_attackers_try_it(result: PolicyResult) -> bool:
    """Either "common password" (zxcvbn's list, keyboard walks) or "breached" (the shipped list)."""
    return any("common password" in p or p == BREACHED for p in result.problems)


def _assert_not_echoed(result: PolicyResult, password: str) -> None:
    text = _texts(result)
    assert password not in text
    assert normalise_password(password) not in text


def test_eleven_characters_rejected(policy: PasswordPolicy) -> None:
    result = policy.check(STRONG_12[:11], PERSONAL)
    assert not result.ok
    assert result.score == 0  # zxcvbn is not consulted once the length rule fails
    assert any("at least 12 characters" in p for p in result.problems)
    _assert_not_echoed(result, STRONG_12[:11])


def test_twelve_strong_characters_accepted(policy: PasswordPolicy) -> None:
    result = policy.check(STRONG_12, PERSONAL)
    assert result.ok, result.problems
    assert result.score >= 3
    assert result.problems == ()


def _long(length: int) -> str:
    text = "tangerine orbit violin"
    words = ["glacier", "pencil", "harbour", "walrus", "cactus", "ferry", "saffron", "meadow", "kettle"]
    while len(text) < length:
        text += " " + words[len(text) % len(words)] + str(len(text))
    return text[:length]


def test_128_characters_accepted_and_129_rejected(policy: PasswordPolicy) -> None:
    longest = _long(128)
    assert len(longest) == 128
    assert policy.check(longest, PERSONAL).ok
    too_long = _long(129)
    result = policy.check(too_long, PERSONAL)
    assert not result.ok
    assert any("at most 128 characters" in p for p in result.problems)
    _assert_not_echoed(result, too_long)


def test_very_long_input_is_cheap(policy: PasswordPolicy) -> None:
    start = time.perf_counter()
    assert not policy.check("a" * 100_000).ok
    assert not policy.check("ab1" * 42 + "xy").ok  # 128, highly repetitive: zxcvbn's slow case
    assert time.perf_counter() - start < 2


def test_length_counts_code_points_after_nfkc(policy: PasswordPolicy) -> None:
    assert len(EMOJI) == 12
    assert not any("characters" in p for p in policy.check(EMOJI).problems)
    assert any("at least 12" in p for p in policy.check(EMOJI[:11]).problems)
    # "ﬃ" (one code point) is "ffi" (three) after NFKC.
    assert normalise_password("ﬃ") == "ffi"
    assert not any("at least 12" in p for p in policy.check("ﬃﬃﬃﬃ").problems)


def test_fullwidth_is_normalised(policy: PasswordPolicy) -> None:
    assert normalise_password("ｐａｓｓｗｏｒｄ１２３４") == "password1234"
    result = policy.check("ｐａｓｓｗｏｒｄ１２３４")
    assert not result.ok
    assert BREACHED in result.problems  # "password1234", the shipped list's entry, after NFKC
    nfd = unicodedata.normalize("NFD", "Crème brûlée à minuit")
    assert normalise_password(nfd) == unicodedata.normalize("NFC", "Crème brûlée à minuit")


@pytest.mark.parametrize("password", ["password1234", "qwertyuiopas", "Password1234", "iloveyou1234"])
def test_common_passwords_rejected(policy: PasswordPolicy, password: str) -> None:
    result = policy.check(password, PERSONAL)
    assert not result.ok
    assert result.score < 3
    assert _said_attackers_try_it(result)
    _assert_not_echoed(result, password)


@pytest.mark.parametrize(
    "password",
    ["violin-Alice-harbour-88", "violin-SMITH-harbour-88", "harbour-e1001-violin!", "ASmith-tangerine-orbit"],
)
def test_personal_words_rejected(policy: PasswordPolicy, password: str) -> None:
    result = policy.check(password, PERSONAL)
    assert not result.ok
    assert any("name" in p and "employee ID" in p for p in result.problems)
    _assert_not_echoed(result, password)
    # The same password is fine for someone else.
    assert policy.check(password, ["E2002", "Bob", "Jones"]).ok


def test_short_personal_words_are_ignored(policy: PasswordPolicy) -> None:
    assert policy.check("Lighthouse-violin-72", ["Li", "Wu", "E1"]).ok


def test_weak_but_uncommon_gets_generic_problem(policy: PasswordPolicy) -> None:
    result = policy.check("abcdefghijkl")
    assert not result.ok
    assert result.problems
    assert result.suggestions
    _assert_not_echoed(result, "abcdefghijkl")


def test_settings_are_honoured() -> None:
    lenient = PasswordPolicy(min_length=8, max_length=64, min_strength=0)
    assert lenient.check("abcdefgh").ok
    assert not lenient.check("x" * 65).ok
    with pytest.raises(ValueError):
        PasswordPolicy(min_length=20, max_length=10)
    with pytest.raises(ValueError):
        PasswordPolicy(min_strength=5)


@pytest.mark.parametrize("control", ["\x00", "\t", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_with_a_reason(policy: PasswordPolicy, control: str) -> None:
    strong = "copper meadow lantern drift"
    assert policy.check(strong).ok
    verdict = policy.check(strong[:6] + control + strong[6:])
    assert not verdict.ok
    assert any("control characters" in problem for problem in verdict.problems)


@pytest.mark.parametrize("password", ["leavemealone", "LeaveMeAlone", "ｌｅａｖｅｍｅａｌｏｎｅ"])
def test_a_password_on_the_shipped_breached_list_is_refused_whatever_its_score(password: str) -> None:
    lenient = PasswordPolicy(min_length=12, min_strength=0)  # zxcvbn alone would let it through
    result = lenient.check(password)
    assert not result.ok and result.problems == (BREACHED,)
    _assert_not_echoed(result, password)
    assert lenient.check("leave me alone now, violin").ok  # only the listed password itself


def test_breached_and_weak_says_it_once(policy: PasswordPolicy) -> None:
    problems = policy.check("password1234").problems
    assert problems.count(BREACHED) == 1 and not any("common password" in p for p in problems)


def test_the_shipped_list_is_the_common_breached_passwords() -> None:
    breached = BreachedPasswords()
    assert breached.common_count > 10_000
    assert breached.is_breached("baseball") and breached.is_breached("iloveyou")
    assert not breached.is_breached("maple river quietly 1987 lantern")


def test_a_rule_checked_outside_the_policy_refuses_the_verdict(policy: PasswordPolicy) -> None:
    verdict = policy.check(STRONG_12)
    refused = verdict.refused_because("It is one of your last 5 passwords.")
    assert verdict.ok and not refused.ok
    assert refused.problems == ("It is one of your last 5 passwords.",) and refused.score == verdict.score


def test_zxcvbn_feedback_is_known_to_the_catalogs_so_a_reword_in_an_upgrade_fails_here() -> None:
    import zxcvbn.feedback
    from babel.messages.extract import extract_from_file

    from core.secrets.strength_feedback import FEEDBACK

    theirs = {message for _, message, _, _ in extract_from_file("python", zxcvbn.feedback.__file__)}
    assert theirs == FEEDBACK


def test_zxcvbn_feedback_reaches_a_spanish_or_german_reader_in_their_language() -> None:
    from core.i18n import use_language

    policy = PasswordPolicy(min_length=12)
    password = "zxcvbnm,./asdf"  # keyboard rows: zxcvbn warns about them and suggests more words
    english = policy.check(password).suggestions
    assert "Straight rows of keys are easy to guess." in english
    with use_language("de"):
        german = policy.check(password).suggestions
    with use_language("es"):
        spanish = policy.check(password).suggestions
    assert "Gerade Tastenreihen sind leicht zu erraten." in german
    assert "Las filas seguidas del teclado son fáciles de adivinar." in spanish
    assert len(german) == len(spanish) == len(english)  # every piece of advice, none dropped
