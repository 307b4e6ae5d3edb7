"""The 10-failures lock under parallel guesses (issue 13, finding 2), on SQLite and PostgreSQL.

Each attack lets every racer read "not locked" before any of them counts its failure (a gate after the
check of the guess), which is exactly the window the attack review used. Counting a failure and checking
the limit must be one atomic step, so no racer gets a verdict past the limit, even with the right answer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from app import Core
from core.storage.models import Recovery, VerificationFailure
from core.types import CheckResult, CheckStatus, Method, Requester
from tests.core.conftest import ANSWERS, add_employee
from tests.support import FakeClock
from tests.support.attacks import terminal_engine, terminal_view, wrong_code

LIMIT = 10  # the default verification_max_failures
LOCKED_TEXT = "too many failed attempts, so self-service is paused"


@pytest.fixture
def account(core: Core) -> int:
    return add_employee(core)


def test_twenty_parallel_wrong_answers_never_count_past_the_limit(
    core: Core, account: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    racers = _half_answered(core, 20)
    gate = threading.Barrier(len(racers), timeout=60)  # every racer has its answer checked before any verdict
    _after_answer_check(core, monkeypatch, lambda: gate.wait())

    with ThreadPoolExecutor(len(racers)) as pool:
        results = list(pool.map(lambda r: core.recovery.answer_question(r[0], r[1], "wrong answer"), racers))

    statuses = [r.status for r in results if r is not None]
    assert len(statuses) == len(racers)
    assert _failures(core, account) == LIMIT  # 20 without the atomic step
    assert statuses.count(CheckStatus.WRONG) == LIMIT - 1 and statuses.count(CheckStatus.LOCKED) == 20 - LIMIT + 1


def test_a_right_answer_racing_past_the_limit_is_refused(
    core: Core, account: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The right answer is checked while the account is still open; ten wrong ones lock it before its verdict."""
    (right_handle, right_last), *wrong = _half_answered(core, LIMIT + 1)
    checked, go = threading.Event(), threading.Event()

    def hold_the_right_one() -> None:
        if threading.current_thread().name == "right":
            checked.set()
            go.wait(timeout=60)

    _after_answer_check(core, monkeypatch, hold_the_right_one)
    verdict: list[CheckResult | None] = []
    right = threading.Thread(
        target=lambda: verdict.append(core.recovery.answer_question(right_handle, right_last, ANSWERS[right_last])),
        name="right",
    )
    right.start()
    assert checked.wait(timeout=60)  # the right answer passed the lock check and argon2 said yes
    for handle, last in wrong:
        core.recovery.answer_question(handle, last, "wrong answer")
    go.set()
    right.join(timeout=60)

    assert verdict and verdict[0] is not None and verdict[0].status is CheckStatus.LOCKED
    assert not core.recovery.options(right_handle).verified
    assert _failures(core, account) == LIMIT


def test_parallel_wrong_codes_never_count_past_the_limit(core: Core, account: int) -> None:
    racers = []
    for n in range(15):
        handle = core.recovery.start("E1001", Requester("web", f"code-racer-{n}"))
        with core.database.transaction() as session:
            recovery = session.get(Recovery, handle)
            assert recovery is not None
            code = core.recovery.deps.codes.issue(session, recovery, Method.EMAIL, core.clock.now())
        racers.append((handle, wrong_code(code)))
    # Every racer waits after matching its code for the others (briefly: with the atomic step only one racer
    # at a time gets this far, so the gate gives way and they go one by one).
    gate = threading.Barrier(len(racers), timeout=0.3)
    keyed = core.recovery.deps.codes._keyed
    real_matches = keyed.matches

    def gated_matches(*args: Any, **kwargs: Any) -> bool:
        result = real_matches(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        return result

    keyed.matches = gated_matches  # type: ignore[method-assign]
    try:
        with ThreadPoolExecutor(len(racers)) as pool:
            results = list(pool.map(lambda r: core.recovery.verify_code(*r), racers))
    finally:
        del keyed.matches
    assert _failures(core, account) == LIMIT  # 15 without the atomic step
    assert [r.status for r in results].count(CheckStatus.LOCKED) == 15 - LIMIT + 1


def test_asking_the_questions_of_an_account_locked_meanwhile_says_it_is_locked(
    core: Core, account: int, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person chose questions while the account was open; parallel failures lock it before they are asked.
    The lock message, not a crash (an IndexError, HTTP 500 on the web chat)."""
    engine = terminal_engine(core, clock)
    terminal_view(engine, "asker", "I forgot my password")
    assert "questions" in [value for _, value in terminal_view(engine, "asker", "E1001")[-1]["choices"]]
    real_questions = core.recovery.questions

    def locked_meanwhile(handle: str) -> Any:
        with core.database.transaction() as session:
            core.recovery.deps.failures.record(session, [f"account:{account}"] * LIMIT, clock.now())
        return real_questions(handle)

    monkeypatch.setattr(core.recovery, "questions", locked_meanwhile)
    replies = terminal_view(engine, "asker", "questions")
    assert LOCKED_TEXT in replies[-1]["text"] and "ticket RD-" in replies[-1]["text"]


# -- helpers ---------------------------------------------------------------------------------------------------


def _half_answered(core: Core, count: int) -> list[tuple[str, str]]:
    """`count` recoveries of the account (each its own channel user) with the first question answered right:
    each racer's one answer is then the verdict on a whole set. Returns (handle, last question id)."""
    racers = []
    for n in range(count):
        handle = core.recovery.start("E1001", Requester("web", f"racer-{n}"))
        first, last = (q.id for q in core.recovery.questions(handle))
        assert core.recovery.answer_question(handle, first, ANSWERS[first]) is None
        racers.append((handle, last))
    return racers


def _after_answer_check(core: Core, monkeypatch: pytest.MonkeyPatch, then: Callable[[], object]) -> None:
    """Run `then` in each racer right after argon2 judged its answer (before its verdict is recorded)."""
    real_verify = core.answers.verify

    def verify(*args: Any, **kwargs: Any) -> bool:
        result = real_verify(*args, **kwargs)
        then()
        return result

    monkeypatch.setattr(core.answers, "verify", verify)


def _failures(core: Core, account: int) -> int:
    with core.database.transaction() as session:
        count = session.scalar(select(func.count()).where(VerificationFailure.subject == f"account:{account}"))
    return int(count or 0)
