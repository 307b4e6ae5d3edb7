"""Fresh proof: a recovery's account may enroll only within 10 minutes of its verification (or reset)."""

from __future__ import annotations

from core.types import CheckStatus, Method, Requester, ResetStatus
from tests.core.conftest import CoreFactory, add_employee, last_outbox_code
from tests.core.test_recovery_reset import token_of
from tests.support import FakeClock

CHAT = Requester("web", "chat-person")


def test_only_a_verified_recovery_within_ten_minutes_proves_the_account(core, clock: FakeClock) -> None:
    account_id = add_employee(core)
    handle = core.recovery.start("E1001", CHAT)
    assert core.enrollment.proven_account(handle) is None  # not verified yet
    core.recovery.send_code(handle, Method.EMAIL)
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED
    assert core.enrollment.proven_account(handle) == account_id
    clock.advance(seconds=601)
    assert core.enrollment.proven_account(handle) is None
    assert core.enrollment.proven_account(core.recovery.start("E9999", CHAT)) is None
    assert core.enrollment.proven_account("no-such-handle") is None


def test_a_finished_reset_is_fresh_proof(core, clock: FakeClock) -> None:
    account_id = add_employee(core)
    handle = core.recovery.start("E1001", CHAT)
    core.recovery.send_code(handle, Method.EMAIL)
    core.recovery.verify_code(handle, last_outbox_code(core))
    link = core.recovery.issue_reset_link(handle)
    clock.advance(seconds=590)
    token = token_of(link.url)
    new = "quiet harbour lantern 4812 moss"
    assert core.recovery.complete_reset(token, new, new).status is ResetStatus.DONE
    clock.advance(seconds=300)  # 890 s after the verification, 300 s after the reset
    assert core.enrollment.proven_account(handle) == account_id


def test_the_first_of_two_steps_is_not_proof(make_core: CoreFactory) -> None:
    core = make_core(policy="strict")
    add_employee(core)
    handle = core.recovery.start("E1001", CHAT)
    core.recovery.send_code(handle, Method.EMAIL)
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.NEXT_STEP
    assert core.enrollment.proven_account(handle) is None
