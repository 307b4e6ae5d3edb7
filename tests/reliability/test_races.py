"""Replay and races: one code or one reset link used twice in a row, from 10 threads at once and from several
processes at once (each with its own core on the same database). Exactly one use wins every time, and the
password is set exactly once (its history grows by one). Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from app import Core
from core.storage.models import Recovery
from core.types import CheckStatus, Requester, ResetStatus
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.conftest import CoreFactory
from tests.core.conftest import OLD_PASSWORD, add_employee
from tests.support import FakeClock
from tests.support.races import (
    NEW_PASSWORD,
    audit_count,
    gate_races,
    history_size,
    open_code,
    reset_token,
    run_processes,
    web_app,
)

T = TypeVar("T")
THREADS = 10
PROCESSES = 4


def at_once(n: int, attempt: Callable[[int], T]) -> list[T]:
    """Run attempt(0..n-1) on n threads released together by a barrier; fail on any thread's error."""
    barrier = threading.Barrier(n)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = attempt(i)
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == n
    return results


def verified_steps(core: Core, handle: str) -> list[str]:
    with core.database.transaction() as session:
        recovery = session.get(Recovery, handle)
        assert recovery is not None
        return list(recovery.verified_steps)


def password_of(core: Core, account_id: int, candidates: list[str]) -> list[str]:
    return [p for p in candidates if core.directory.verify_password(account_id, p)]


# -- one-time codes ------------------------------------------------------------------------------------------


def test_code_replayed_right_after_use_is_refused(core: Core) -> None:
    add_employee(core)
    handle, code = open_code(core)
    assert core.recovery.verify_code(handle, code).status is CheckStatus.VERIFIED
    again = core.recovery.verify_code(handle, code)
    assert again.status is CheckStatus.NO_CODE
    assert verified_steps(core, handle) == ["email"]
    assert audit_count(core, "verification.passed") == 1


def test_code_sent_by_10_threads_at_once_is_accepted_once(core: Core) -> None:
    add_employee(core)
    handle, code = open_code(core)
    gate_races(core, threading.Barrier(THREADS))
    outcomes = Counter(at_once(THREADS, lambda _: core.recovery.verify_code(handle, code).status))
    assert outcomes == {CheckStatus.VERIFIED: 1, CheckStatus.NO_CODE: THREADS - 1}
    assert verified_steps(core, handle) == ["email"]
    assert audit_count(core, "verification.passed") == 1
    assert audit_count(core, "verification.failed") == 0  # losing the race is not a failed guess


def test_code_replayed_from_another_conversation_is_refused(core: Core) -> None:
    """A code belongs to its recovery: typed into another conversation for the same account it never verifies."""
    add_employee(core)
    handle, code = open_code(core, user="visitor-1")
    other = core.recovery.start("E1001", Requester("web", "visitor-2"))
    assert core.recovery.verify_code(other, code).status is CheckStatus.NO_CODE
    assert core.recovery.verify_code(handle, code).status is CheckStatus.VERIFIED


# -- reset links -------------------------------------------------------------------------------------------


def test_reset_link_completed_twice_in_a_row_sets_the_password_once(core: Core) -> None:
    account_id = add_employee(core)
    token = reset_token(core)
    before = history_size(core, account_id)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    second = NEW_PASSWORD + " again"
    assert core.recovery.complete_reset(token, second, second).status is ResetStatus.INVALID_LINK
    assert password_of(core, account_id, [OLD_PASSWORD, NEW_PASSWORD, second]) == [NEW_PASSWORD]
    assert history_size(core, account_id) == before + 1
    assert audit_count(core, "account.password_reset") == 1


def test_reset_form_posted_twice_through_the_page_is_refused_the_second_time(make_core: CoreFactory) -> None:
    core = make_core()
    app = web_app(core)
    client = app.test_client()
    url = reset_link_via_email(core, ChatClient(client))
    path = url.removeprefix(core.settings.public_url)
    csrf = csrf_of(client.get(path).get_data(as_text=True))
    account = core.directory.find("E1001")
    assert account is not None
    before = history_size(core, account.id)
    form = {"csrf_token": csrf, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert client.post(path, data=form).status_code == 200
    replay = client.post(path, data=form | {"password": NEW_PASSWORD + "!", "confirmation": NEW_PASSWORD + "!"})
    assert replay.status_code == 410
    assert password_of(core, account.id, [NEW_PASSWORD, NEW_PASSWORD + "!"]) == [NEW_PASSWORD]
    assert history_size(core, account.id) == before + 1


def test_reset_link_completed_by_10_threads_at_once_sets_the_password_once(core: Core) -> None:
    account_id = add_employee(core)
    token = reset_token(core)
    before = history_size(core, account_id)
    passwords = [f"{NEW_PASSWORD} thread {i}" for i in range(THREADS)]
    gate_races(core, threading.Barrier(THREADS))
    outcomes = at_once(THREADS, lambda i: core.recovery.complete_reset(token, passwords[i], passwords[i]).status)
    assert Counter(outcomes) == {ResetStatus.DONE: 1, ResetStatus.INVALID_LINK: THREADS - 1}
    assert len(password_of(core, account_id, [OLD_PASSWORD, *passwords])) == 1
    assert history_size(core, account_id) == before + 1
    assert audit_count(core, "account.password_reset") == 1


# -- several processes, each with its own core ----------------------------------------------------------------


def test_code_and_link_used_from_several_processes_at_once_win_once_each(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    """Like several gunicorn workers: spawned processes, each building its own core on the same database URL,
    use one code and then one reset link at the same moment."""
    core = make_core()
    account_id = add_employee(core)
    token = reset_token(core)  # verified in an earlier recovery; its link is the one raced for
    clock.advance(61)  # the next code may be sent
    handle, code = open_code(core, user="visitor-2")
    before = history_size(core, account_id)
    passwords = [f"{NEW_PASSWORD} worker {i}" for i in range(PROCESSES)]

    outcomes = run_processes(core.database.url, clock.now(), handle, code, token, passwords)

    assert not [o for o in outcomes if o[1].startswith("error")], outcomes
    assert Counter(checked for _, checked, _ in outcomes) == {"verified": 1, "no_code": PROCESSES - 1}
    assert Counter(reset for _, _, reset in outcomes) == {"done": 1, "invalid_link": PROCESSES - 1}
    winner = next(password for password, _, reset in outcomes if reset == "done")
    assert password_of(core, account_id, [OLD_PASSWORD, *passwords]) == [winner]
    assert history_size(core, account_id) == before + 1
    assert verified_steps(core, handle) == ["email"]
    assert audit_count(core, "account.password_reset") == 1
