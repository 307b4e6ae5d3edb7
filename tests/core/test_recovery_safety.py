"""Enumeration safety, provider outages, policy profiles, hand-off tickets, and secrets staying secret."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from app import Core
from core.delivery.ports import DeliveryError, EmailMessage
from core.storage.models import AuditEvent, HandoffTicket
from core.types import CheckStatus, HandoffReason, Method, Options, Requester, ResetStatus, SendStatus
from tests.core.conftest import ANSWERS, OLD_PASSWORD, CoreFactory, add_employee, last_outbox_code
from tests.support import FakeClock, deliver_queued

WEB = Requester("web", "visitor-1")


def journey(core: Core, identifier: str, requester: Requester) -> list[object]:
    """Everything a caller can observe while probing an identifier."""
    handle = core.recovery.start(identifier, requester)
    seen: list[object] = [core.recovery.options(handle)]
    sent = core.recovery.send_code(handle, Method.EMAIL)
    # Where the code went has the same shape for both: a masked address at the company's domain.
    assert sent.destination is not None and re.fullmatch(r"[a-z0-9]•••@example\.com", sent.destination)
    seen.append(replace(sent, destination="<masked>"))
    seen.append(core.recovery.verify_code(handle, "000000"))
    questions = core.recovery.questions(handle)
    seen.append(len(questions))
    seen.append(core.recovery.verify_answers(handle, {q.id: "guess" for q in questions}))
    seen.append(core.recovery.options(handle))
    return seen


def test_unknown_and_known_identifiers_look_the_same(core) -> None:
    add_employee(core, "E1001")
    known = journey(core, "E1001", Requester("web", "a"))
    unknown = journey(core, "E9999", Requester("web", "b"))
    assert known == unknown
    assert known[0] == Options(methods=(Method.SMS, Method.EMAIL, Method.QUESTIONS))


def test_unknown_identifier_is_rate_limited_and_locked_like_a_known_one(core, clock: FakeClock) -> None:
    handle = core.recovery.start("nobody", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    assert core.recovery.send_code(handle, Method.EMAIL).status is SendStatus.TOO_SOON
    questions = core.recovery.questions(handle)
    # Like a real enrolment: over many recoveries, draws come from one fixed set of three questions.
    seen = {
        q.id for _ in range(20) for q in core.recovery.questions(core.recovery.start("NOBODY", Requester("web", "x")))
    }
    assert len(seen) == 3 and {q.id for q in questions} <= seen
    statuses = [core.recovery.verify_answers(handle, {q.id: "x" for q in questions}).status for _ in range(10)]
    assert statuses[-1] is CheckStatus.LOCKED


def test_nothing_on_file_offers_no_method(core) -> None:
    add_employee(core, email=None, phone=None, answers={})
    options = core.recovery.options(core.recovery.start("E1001", WEB))
    assert options.methods == () and options.unavailable == () and not options.locked


def test_provider_down_offers_the_other_methods(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(breaker_failure_threshold=2)
    add_employee(core)

    def failing_send(message: EmailMessage) -> None:
        raise DeliveryError("email", "connection refused")

    core.email.send = failing_send  # type: ignore[method-assign]
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent  # queued: the reply never waits on the provider
    assert deliver_queued(core) == 1  # the first try fails; retried 5 s later
    clock.advance(seconds=5)
    assert deliver_queued(core) == 1  # the second failure opens the breaker
    options = core.recovery.options(handle)
    assert options.unavailable == (Method.EMAIL,)
    assert options.methods == (Method.SMS, Method.QUESTIONS)
    clock.advance(seconds=10)
    assert deliver_queued(core) == 1  # the last try (breaker open): given up, and its code forgotten
    assert core.recovery.send_code(handle, Method.SMS).sent  # the failed delivery did not use up the spacing


def test_strict_profile_asks_a_code_first_then_questions(make_core: CoreFactory) -> None:
    core = make_core(policy="strict")
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.options(handle).methods == (Method.EMAIL, Method.SMS)
    assert core.recovery.questions(handle) == []
    core.recovery.send_code(handle, Method.EMAIL)
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.NEXT_STEP
    assert core.recovery.options(handle).methods == (Method.QUESTIONS,)
    questions = core.recovery.questions(handle)
    assert core.recovery.verify_answers(handle, {q.id: ANSWERS[q.id] for q in questions}).status is CheckStatus.VERIFIED


def test_strict_profile_never_accepts_questions_alone(make_core: CoreFactory) -> None:
    core = make_core(policy="strict")
    add_employee(core, email=None, phone=None)
    assert core.recovery.options(core.recovery.start("E1001", WEB)).methods == ()


def test_one_open_ticket_per_person_with_queue_position(core) -> None:
    first = core.recovery.open_ticket(HandoffReason.ASKED, Requester("web", "a"), transcript=[{"from": "user"}])
    second = core.recovery.open_ticket(HandoffReason.NO_METHOD, Requester("slack", "U1"))
    again = core.recovery.open_ticket(HandoffReason.NOT_UNDERSTOOD, Requester("web", "a"))
    assert re.fullmatch(r"RD-[2-9A-Z]{6}", first.reference)
    assert (first.position, second.position) == (1, 2)
    assert again.reference == first.reference and again.reason is HandoffReason.ASKED


def test_secrets_never_reach_logs_audit_or_tickets(
    make_core: CoreFactory, caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    core = make_core()
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    code = last_outbox_code(core)
    core.recovery.verify_code(handle, "999999" if code != "999999" else "888888")
    core.recovery.verify_code(handle, code)
    questions = core.recovery.questions(core.recovery.start("E1001", Requester("web", "v2")))
    link = core.recovery.issue_reset_link(handle)
    token = link.url.rsplit("/", 1)[1]
    new_password = "a fresh and long passphrase 77"
    core.recovery.complete_reset(token, "weak", "weak")
    assert core.recovery.complete_reset(token, new_password, new_password).status is ResetStatus.DONE
    core.recovery.open_ticket(HandoffReason.ASKED, WEB, handle=handle, transcript=[{"text": "[redacted]"}])

    with core.database.transaction() as session:
        audit = json.dumps([[e.event, e.actor, e.detail] for e in session.scalars(select(AuditEvent))])
        tickets = json.dumps([t.transcript for t in session.scalars(select(HandoffTicket))])
    secrets = [code, token, new_password, OLD_PASSWORD, *ANSWERS.values()]
    for place, text in {"logs": caplog.text, "audit": audit, "tickets": tickets, "repr": repr(link)}.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"secrets found in {place}"
    assert {"recovery.started", "code.sent", "verification.failed", "verification.passed", "link.issued",
            "account.password_reset", "handoff.opened"} <= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', audit))  # fmt: skip
    assert questions  # the second recovery drew questions too
