"""Coverage by number of methods and by method, and nudges: once per interval, to the contacts on file."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import AuditEvent
from core.types import Requester
from tests.core.conftest import add_employee
from tests.support import FakeClock
from tests.support.enrollment import code_sent_to, messages_to


def staff(core) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """E1: nothing; E2: email only; E3: email + phone; E4: everything; E5: phone only, plus a self email."""
    ids = {
        "E1": add_employee(core, "E1", email=None, phone=None, answers={}),
        "E2": add_employee(core, "E2", phone=None, answers={}),
        "E3": add_employee(core, "E3", answers={}),
        "E4": add_employee(core, "E4"),
        "E5": add_employee(core, "E5", email=None, answers={}),
    }
    core.enrollment.start_contact(ids["E5"], "email", "own@example.org", Requester("web", "e5"))
    assert core.enrollment.confirm_contact(ids["E5"], "email", code_sent_to(core, "own@example.org")).status == "ok"
    return ids


def test_coverage_counts_employees_by_methods_and_by_method(core) -> None:
    staff(core)
    coverage = core.enrollment.coverage()
    assert coverage.employees == 5
    assert coverage.by_count == {"0": 1, "1": 1, "2": 2, "3+": 1}
    assert coverage.by_method == {"sms": 3, "email": 4, "questions": 1}
    assert coverage.self_enrolled == {"sms": 0, "email": 1}


def test_nudges_go_to_each_contact_of_people_with_fewer_than_two_methods_once_per_interval(
    core, clock: FakeClock
) -> None:
    staff(core)
    first = core.enrollment.nudge()
    assert (first.considered, first.sent, first.messages, first.recently_nudged, first.unreachable) == (2, 1, 1, 0, 1)
    [nudge] = [m for m in messages_to(core, "e2@example.com") if "/enroll" in m]
    assert "only one way" in nudge and "http://127.0.0.1:5000/enroll" in nudge
    assert not any("/enroll" in m for m in messages_to(core, "e3@example.com"))

    clock.advance(days=29)
    again = core.enrollment.nudge()
    assert (again.sent, again.recently_nudged) == (0, 1)
    assert len([m for m in messages_to(core, "e2@example.com") if "/enroll" in m]) == 1

    clock.advance(days=2)
    assert core.enrollment.nudge().sent == 1
    with core.database.transaction() as session:
        nudged = session.scalars(select(AuditEvent.account_id).where(AuditEvent.event == "enroll.nudged")).all()
    assert len(nudged) == 2
