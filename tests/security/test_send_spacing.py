"""Send spacing must not link identifiers (issue 13, finding 7): spaced per account, a "please wait" told someone
starting a recovery by username that a code had just been sent for an employee ID, so the two were one account.
Spacing is per recovery and method; the hourly cap stays per account."""

from __future__ import annotations

from app import Core
from core.types import Method, Requester, SendStatus
from tests.core.conftest import add_employee
from tests.support import FakeClock


def test_a_code_sent_by_employee_id_does_not_hold_up_a_recovery_by_username(core: Core, clock: FakeClock) -> None:
    add_employee(core, "E1001", username="jordan")
    by_id = core.recovery.start("E1001", Requester("web", "victim"))
    assert core.recovery.send_code(by_id, Method.EMAIL).sent
    # At once, a prober starts recoveries by the username and by a name that matches nobody: the same answer.
    by_name = core.recovery.start("jordan", Requester("web", "prober"))
    unknown = core.recovery.start("nobody-at-all", Requester("web", "prober"))
    assert core.recovery.send_code(by_name, Method.EMAIL).status is SendStatus.SENT
    assert core.recovery.send_code(unknown, Method.EMAIL).status is SendStatus.SENT


def test_spacing_is_per_recovery_and_method_and_the_hourly_cap_per_account(core: Core, clock: FakeClock) -> None:
    add_employee(core, "E1001", username="jordan")
    first = core.recovery.start("E1001", Requester("web", "a"))
    assert core.recovery.send_code(first, Method.EMAIL).sent
    clock.advance(30)
    again = core.recovery.send_code(first, Method.EMAIL)
    assert (again.status, again.retry_after) == (SendStatus.TOO_SOON, 30)
    assert core.recovery.send_code(first, Method.SMS).sent  # another method is not held up
    for user in ("b", "c", "d"):  # five sends in all for the account, from three more recoveries
        assert core.recovery.send_code(core.recovery.start("jordan", Requester("web", user)), Method.SMS).sent
    capped = core.recovery.send_code(core.recovery.start("E1001", Requester("web", "e")), Method.EMAIL)
    assert (capped.status, capped.retry_after) == (SendStatus.RATE_LIMITED, 3600 - 30)
