"""The reports page's figures, checked exactly against audit rows with known counts: seeded rows for every
figure, and the real recovery flows for the facts they need the audit to carry (channel, method, time, lock)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import Core
from core.reports.figures import Outcomes, RepeatPerson, Reports
from core.storage.models import AuditEvent
from core.types import Method, Requester, ResetStatus
from tests.core.conftest import CoreFactory, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.races import audit_count
from tests.support.report_rows import seed_audit


def test_figures_over_seven_days_match_the_seeded_audit(core: Core) -> None:
    seed_audit(core)
    figures = Reports(core.database, core.clock).figures(7)
    assert figures.outcomes == Outcomes(started=8, completed=4, handed_off=2, abandoned=1, unfinished=1)
    assert figures.outcomes.containment == 0.5
    assert figures.completions_by_method == {
        "email code": 2, "SMS code": 1, "email code + security questions": 1, "a support agent verified them": 1,
    }  # fmt: skip
    assert figures.completions_by_channel == {"web chat": 3, "Slack": 1, "Telegram": 1}
    assert figures.handoff_reasons == {"asked for a person": 2, "no verification method on file": 1}
    assert figures.failures_by_method == {"security questions": 3, "SMS code": 2, "email code": 1, "one-time code": 1}
    assert (figures.median_seconds, figures.p90_seconds) == (120, 900)  # of 30, 60, 120, 300, 900
    assert figures.locked_accounts == 2
    assert figures.repeat_people == 2  # account 21, and the chat user whose identifier matched nobody
    assert figures.coverage is None


def test_a_longer_period_takes_in_older_rows(core: Core) -> None:
    seed_audit(core)
    figures = Reports(core.database, core.clock).figures(30)
    assert figures.outcomes == Outcomes(started=9, completed=5, handed_off=2, abandoned=1, unfinished=1)
    assert figures.completions_by_method["security questions"] == 1
    assert (figures.median_seconds, figures.p90_seconds) == (60, 900)  # 30, 45, 60, 120, 300, 900
    assert figures.locked_accounts == 3
    assert figures.repeat_people == 3  # account 22 now has three


def test_an_empty_audit_and_an_unknown_period(core: Core) -> None:
    reports = Reports(core.database, core.clock)
    figures = reports.figures(90)
    assert figures.outcomes == Outcomes(0, 0, 0, 0, 0) and figures.outcomes.containment is None
    assert (figures.median_seconds, figures.p90_seconds, figures.completions_by_method) == (None, None, {})
    with pytest.raises(ValueError):
        reports.figures(8)


def test_the_recovery_flows_write_the_facts_the_figures_need(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(verification_max_failures=2)
    add_employee(core)
    add_employee(core, "E1002")
    handle = core.recovery.start("E1001", Requester("web", "someone"))
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)
    core.recovery.verify_code(handle, "000000" if code != "000000" else "111111")
    core.recovery.verify_code(handle, code)
    token = core.recovery.issue_reset_link(handle).url.rsplit("/", 1)[1]
    clock.advance(90)
    new = "a fresh and long passphrase 77"
    assert core.recovery.complete_reset(token, new, new).status is ResetStatus.DONE
    locked_out = core.recovery.start("E1002", Requester("slack", "U9"))
    for _ in range(2):  # two wrong sets of answers lock self-service (max failures 2)
        core.recovery.verify_answers(locked_out, {q.id: "wrong" for q in core.recovery.questions(locked_out)})

    figures = Reports(core.database, core.clock, coverage=core.enrollment.coverage).figures(7)
    assert figures.outcomes == Outcomes(started=2, completed=1, handed_off=0, abandoned=0, unfinished=1)
    assert figures.completions_by_method == {"email code": 1}
    assert figures.completions_by_channel == {"web chat": 1}
    assert figures.failures_by_method == {"security questions": 2, "email code": 1}
    assert (figures.median_seconds, figures.p90_seconds) == (90, 90)
    assert figures.locked_accounts == 1
    assert figures.coverage is not None and figures.coverage.employees == 2


def test_who_needed_help_more_than_twice_is_listed_only_on_request_and_audited(core: Core) -> None:
    add_employee(core, "E1001")
    add_employee(core, "E1002")
    chat = Requester("web", "someone")
    for identifier, times in (("E1001", 3), ("E1002", 2), ("nobody-here", 4)):
        for _ in range(times):
            core.recovery.start(identifier, chat)
    reports = Reports(core.database, core.clock)
    assert reports.figures(7).repeat_people == 2
    assert audit_count(core, "report.people_viewed") == 0  # the figures count, and name nobody
    assert reports.repeat_people(7, viewer="agent:kim") == [
        RepeatPerson("identifiers that matched nobody (one chat user)", 4),
        RepeatPerson("E1001", 3),
    ]
    with core.database.transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.event == "report.people_viewed")).one()
        assert (viewed.actor, viewed.detail) == ("agent:kim", {"days": 7, "listed": 2})
