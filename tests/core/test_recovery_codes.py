"""One-time codes through RecoveryService: expiry, tries, resend, send limits, single use."""

from __future__ import annotations

import threading

from core.types import CheckStatus, Method, Requester, SendStatus
from tests.core.conftest import add_employee, last_outbox_code, outbox_count
from tests.support import FakeClock

WEB = Requester("web", "visitor-1")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_by_email_verifies_and_is_single_use(core) -> None:
    add_employee(core)
    handle = core.recovery.start("e1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    code = last_outbox_code(core, "email")
    assert core.recovery.verify_code(handle, f"{code[:3]} {code[3:]}").status is CheckStatus.VERIFIED
    assert core.recovery.options(handle).verified
    assert core.recovery.verify_code(handle, code).status is CheckStatus.NO_CODE


def test_code_by_sms_goes_to_the_phone_on_file(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.SMS).sent
    code = last_outbox_code(core, "sms")
    assert core.recovery.verify_code(handle, f"{code[:3]}-{code[3:]}").status is CheckStatus.VERIFIED


def test_code_expires_at_the_ten_minute_boundary(core, clock: FakeClock) -> None:
    add_employee(core)
    early, late = core.recovery.start("E1001", WEB), core.recovery.start("E1001", Requester("web", "other"))
    core.recovery.send_code(early, Method.EMAIL)
    early_code = last_outbox_code(core)
    clock.advance(60)
    core.recovery.send_code(late, Method.EMAIL)
    late_code = last_outbox_code(core)
    clock.advance(599 - 60)  # early code is 599 s old
    assert core.recovery.verify_code(early, early_code).status is CheckStatus.VERIFIED
    clock.advance(60 + 1)  # late code is exactly 600 s old
    assert core.recovery.verify_code(late, late_code).status is CheckStatus.EXPIRED


def test_code_lifetime_is_a_setting(make_core, clock: FakeClock) -> None:
    core = make_core(code_ttl_seconds=120)
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)  # delivered at once
    clock.advance(120)
    assert core.recovery.verify_code(handle, code).status is CheckStatus.EXPIRED


def test_sixth_try_is_refused_even_with_the_right_code(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)
    left = [core.recovery.verify_code(handle, wrong(code)).tries_left for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    assert core.recovery.verify_code(handle, code).status is CheckStatus.USED_UP


def test_tries_per_code_is_a_setting(make_core) -> None:
    core = make_core(code_max_attempts=2)
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)
    core.recovery.verify_code(handle, wrong(code))
    core.recovery.verify_code(handle, wrong(code))
    assert core.recovery.verify_code(handle, code).status is CheckStatus.USED_UP


def test_malformed_input_is_not_a_try(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    for typed in ("12345", "abcdef", "1234567", "١٢٣٤٥٦"):
        assert core.recovery.verify_code(handle, typed).status is CheckStatus.MALFORMED
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED


def test_resend_makes_a_new_code_and_keeps_the_failure_count(core, clock: FakeClock) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    first = last_outbox_code(core)
    for _ in range(3):
        core.recovery.verify_code(handle, wrong(first))
    clock.advance(60)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    second = last_outbox_code(core)
    assert [core.recovery.verify_code(handle, wrong(second)).tries_left for _ in range(2)] == [1, 0]
    assert core.recovery.verify_code(handle, second).status is CheckStatus.USED_UP


def test_switching_method_gives_a_fresh_code(core, clock: FakeClock) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    for _ in range(5):
        core.recovery.verify_code(handle, wrong(last_outbox_code(core)))
    clock.advance(60)
    assert core.recovery.send_code(handle, Method.SMS).sent
    assert core.recovery.verify_code(handle, last_outbox_code(core, "sms")).status is CheckStatus.VERIFIED


def test_sends_are_spaced_and_capped_per_hour(core, clock: FakeClock) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    clock.advance(30)
    too_soon = core.recovery.send_code(handle, Method.EMAIL)
    assert (too_soon.status, too_soon.retry_after) == (SendStatus.TOO_SOON, 30)
    for _ in range(4):
        clock.advance(60)
        assert core.recovery.send_code(handle, Method.SMS).sent
    clock.advance(60)
    # A new recovery by another person for the same account shares the account's cap.
    other = core.recovery.start("E1001", Requester("telegram", "42"))
    capped = core.recovery.send_code(other, Method.EMAIL)
    assert capped.status is SendStatus.RATE_LIMITED
    assert capped.retry_after == 3600 - (30 + 4 * 60 + 60)
    assert outbox_count(core) == 5
    clock.advance(capped.retry_after or 0)
    assert core.recovery.send_code(other, Method.EMAIL).sent


def test_send_limits_are_settings(make_core, clock: FakeClock) -> None:
    core = make_core(code_sends_per_hour=2, code_send_interval_seconds=10)
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    clock.advance(10)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    clock.advance(10)
    assert core.recovery.send_code(handle, Method.EMAIL).status is SendStatus.RATE_LIMITED


def test_two_threads_with_the_right_code_exactly_one_wins(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)
    barrier = threading.Barrier(2)
    results: list[CheckStatus] = []

    def attempt() -> None:
        barrier.wait()
        results.append(core.recovery.verify_code(handle, code).status)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [CheckStatus.NO_CODE, CheckStatus.VERIFIED]
