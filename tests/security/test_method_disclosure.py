"""Offered methods must not say which accounts lack one (issue 13, finding 6): RESETDESK_METHOD_DISCLOSURE=all
offers every method of the policy to every identifier, known or not, and a method that turns out not to be on
file fails the same way for everyone: the same replies, the same state after, the same time taken."""

from __future__ import annotations

from typing import Any

import pytest

from app import Core
from core.types import Method, Options, Requester, SendStatus
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support import FakeClock
from tests.support.attacks import mask, median_ms, terminal_engine, terminal_view, timed

EVERY = (Method.SMS, Method.EMAIL, Method.QUESTIONS)


@pytest.fixture
def core(make_core: CoreFactory) -> Core:
    core = make_core(method_disclosure="all")
    add_employee(core, "E1001")  # everything on file
    add_employee(core, "E2002", phone=None, answers={})  # email only
    return core


def test_every_identifier_is_offered_every_method(core: Core) -> None:
    for identifier in ("E1001", "E2002", "nobody-here"):
        handle = core.recovery.start(identifier, Requester("web", identifier))
        assert core.recovery.options(handle) == Options(methods=EVERY)


def test_the_default_offers_only_what_is_on_file(make_core: CoreFactory) -> None:
    """`enrolled` (the default) keeps the friendlier offer, and with it the disclosure `all` removes."""
    core = make_core()
    add_employee(core, "E2002", phone=None, answers={})
    assert core.recovery.options(core.recovery.start("E2002", Requester("web", "a"))).methods == (Method.EMAIL,)


def test_unknown_identifiers_lack_methods_too_so_a_failure_does_not_mark_a_real_account(core: Core) -> None:
    sms = [_decoy_sends(core, f"ghost{n}") for n in range(40)]
    assert SendStatus.SENT in sms and SendStatus.UNAVAILABLE in sms
    # Fixed per identifier: asking again gives the same answer.
    first = sms.index(SendStatus.UNAVAILABLE)
    assert _decoy_sends(core, f"ghost{first}") is SendStatus.UNAVAILABLE


def test_a_code_method_not_on_file_fails_the_same_way_for_a_real_account_and_an_unknown_one(
    core: Core, clock: FakeClock
) -> None:
    ghost = next(f"ghost{n}" for n in range(100) if _decoy_sends(core, f"ghost{n}") is SendStatus.UNAVAILABLE)
    real = _conversation(core, clock, "real", ["I forgot my password", "E2002", "sms", "help"])
    unknown = _conversation(core, clock, "unknown", ["I forgot my password", ghost, "sms", "help"])
    assert real == unknown
    assert real[2][0]["text"] == "Sorry, I can't send that right now. Please choose another way."
    assert [value for _, value in real[2][-1]["choices"]][:3] == ["sms", "email", "questions"]


def test_questions_not_on_file_fail_the_same_way_for_a_real_account_and_an_unknown_one(
    core: Core, clock: FakeClock
) -> None:
    ghost = next(f"ghost{n}" for n in range(100) if not _decoy_questions(core, f"ghost{n}"))
    real = _conversation(core, clock, "real", ["I forgot my password", "E2002", "questions", "help"])
    unknown = _conversation(core, clock, "unknown", ["I forgot my password", ghost, "questions", "help"])
    assert real == unknown
    assert real[2][0]["text"].startswith("Sorry, I can't use that way.")
    assert real[3][-1]["text"].startswith("Pick how to confirm it's you.")  # back at the choice, not a crash


def test_a_method_not_on_file_takes_as_long_for_a_real_account_as_for_a_decoy(core: Core) -> None:
    """The same path for everyone: a real account without a phone and an unknown id that lacks one answer
    UNAVAILABLE in the same time (no provider is ever waited for: sends are queued)."""
    ghost = next(f"ghost{n}" for n in range(100) if _decoy_sends(core, f"ghost{n}") is SendStatus.UNAVAILABLE)
    samples: dict[str, list[float]] = {"E2002": [], ghost: []}
    for _ in range(15):
        for identifier, seconds in samples.items():
            result, took = timed(
                lambda i=identifier: core.recovery.send_code(core.recovery.start(i, Requester("web", "t")), Method.SMS)
            )
            assert result.status is SendStatus.UNAVAILABLE, identifier
            seconds.append(took)
    assert abs(median_ms(samples["E2002"]) - median_ms(samples[ghost])) < 5


# -- helpers ---------------------------------------------------------------------------------------------------


def _decoy_sends(core: Core, identifier: str) -> SendStatus:
    handle = core.recovery.start(identifier, Requester("web", "probe"))
    return core.recovery.send_code(handle, Method.SMS).status


def _decoy_questions(core: Core, identifier: str) -> bool:
    return bool(core.recovery.questions(core.recovery.start(identifier, Requester("web", "probe"))))


def _conversation(core: Core, clock: FakeClock, user: str, texts: list[str]) -> list[Any]:
    engine = terminal_engine(core, clock)
    return [mask(terminal_view(engine, user, text)) for text in texts]
