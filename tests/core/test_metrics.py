"""Each metric counts what it names, read from prometheus_client's registry (as deltas: the registry is
process-wide and other tests count too). The scrape itself: tests/channels/test_metrics_endpoint.py; across
gunicorn workers: tests/reliability/test_metrics_gunicorn.py."""

from __future__ import annotations

import time

import pytest
from prometheus_client import REGISTRY

from app import Core, build_delivery_worker
from core.delivery.ports import DeliveryError, EmailMessage
from core.metrics import record, scrape, timed_directory
from core.types import CheckStatus, HandoffReason, Method, Purpose, Requester, ResetStatus
from tests.core.conftest import CoreFactory, add_employee, last_outbox_code
from tests.support import FakeClock

WEB = Requester("web", "visitor-1")
NEW_PASSWORD = "correct horse battery staple 42"


class Reading:
    """A sample's value now minus its value when the reading began."""

    def __init__(self) -> None:
        self._start: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        for metric in REGISTRY.collect():
            for sample in metric.samples:
                self._start[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value

    def delta(self, name: str, **labels: str) -> float:
        now = REGISTRY.get_sample_value(name, labels) or 0.0
        return now - self._start.get((name, tuple(sorted(labels.items()))), 0.0)


def verified_by_email(core: Core, requester: Requester = WEB, purpose: Purpose = Purpose.RESET) -> str:
    handle = core.recovery.start("E1001", requester, purpose)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED
    return handle


def test_conversations_started_by_channel_and_never_by_what_was_typed(core: Core) -> None:
    add_employee(core)
    reading = Reading()
    core.recovery.start("E1001", WEB)
    core.recovery.start("E1001", Requester("slack", "U1"))
    core.recovery.start("nobody-known", Requester("web", "visitor-2"))
    core.recovery.start("E1001", Requester("E1001", "x"))  # not a channel: counted as "other", never as itself
    assert reading.delta("resetdesk_conversations_started_total", channel="web") == 2
    assert reading.delta("resetdesk_conversations_started_total", channel="slack") == 1
    assert reading.delta("resetdesk_conversations_started_total", channel="other") == 1
    assert b"E1001" not in scrape(None) and b"nobody-known" not in scrape(None)


def test_verifications_by_method_and_outcome_and_the_lock(make_core: CoreFactory) -> None:
    core = make_core(verification_max_failures=3)
    add_employee(core)
    reading = Reading()
    verified_by_email(core)
    handle = core.recovery.start("E1001", Requester("web", "visitor-2"))
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    statuses = [core.recovery.verify_code(handle, "000000").status for _ in range(3)]
    assert statuses[-1] is CheckStatus.LOCKED
    assert reading.delta("resetdesk_verifications_total", method="email", outcome="passed") == 1
    assert reading.delta("resetdesk_verifications_total", method="email", outcome="failed") == 3
    assert reading.delta("resetdesk_locks_total", method="email") == 1


def test_wrong_answers_count_as_failed_questions_and_lock(make_core: CoreFactory) -> None:
    core = make_core(verification_max_failures=1)
    add_employee(core)
    reading = Reading()
    handle = core.recovery.start("E1001", WEB)
    wrong = {question.id: "not it" for question in core.recovery.questions(handle)}
    assert core.recovery.verify_answers(handle, wrong).status is CheckStatus.LOCKED
    assert reading.delta("resetdesk_verifications_total", method="questions", outcome="failed") == 1
    assert reading.delta("resetdesk_locks_total", method="questions") == 1


def test_a_reset_counts_its_channel_method_and_time_from_the_start(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    reading = Reading()
    handle = verified_by_email(core, Requester("telegram", "42"))
    link = core.recovery.issue_reset_link(handle)
    clock.advance(100)
    token = link.url.rsplit("/", 1)[1]
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    labels = {"change": "password_reset", "channel": "telegram", "method": "email"}
    assert reading.delta("resetdesk_recoveries_completed_total", **labels) == 1
    assert reading.delta("resetdesk_time_to_reset_seconds_count") == 1
    assert reading.delta("resetdesk_time_to_reset_seconds_sum") == 100
    assert reading.delta("resetdesk_time_to_reset_seconds_bucket", le="60.0") == 0
    assert reading.delta("resetdesk_time_to_reset_seconds_bucket", le="120.0") == 1


def test_an_unlock_counts_without_a_time_to_reset(core: Core) -> None:
    add_employee(core)
    reading = Reading()
    core.recovery.unlock(verified_by_email(core, purpose=Purpose.UNLOCK))
    labels = {"change": "unlocked", "channel": "web", "method": "email"}
    assert reading.delta("resetdesk_recoveries_completed_total", **labels) == 1
    assert reading.delta("resetdesk_time_to_reset_seconds_count") == 0


def test_handoffs_by_reason_once_per_ticket(core: Core) -> None:
    reading = Reading()
    core.recovery.open_ticket(HandoffReason.NO_METHOD, Requester("web", "a"))
    core.recovery.open_ticket(HandoffReason.NO_METHOD, Requester("web", "a"))  # the same open ticket
    core.recovery.open_ticket(HandoffReason.ASKED, Requester("slack", "U1"))
    assert reading.delta("resetdesk_handoffs_total", reason="no_method") == 1
    assert reading.delta("resetdesk_handoffs_total", reason="asked") == 1


def test_deliveries_provider_latency_breaker_and_queue_depth(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(breaker_failure_threshold=1, delivery_max_attempts=2)
    add_employee(core)
    reading = Reading()

    def failing(message: EmailMessage) -> None:
        time.sleep(0.01)
        raise DeliveryError("email", "connection refused")

    sent: list[EmailMessage] = []
    core.email.send = failing  # type: ignore[method-assign]
    core.recovery.send_code(core.recovery.start("E1001", WEB), Method.EMAIL)
    assert b'resetdesk_delivery_queue_depth{provider="email",status="queued"} 1.0' in scrape(core.database)
    worker = build_delivery_worker(core)
    assert worker.drain() == 1  # tried and failed: the breaker opens (threshold 1), a retry is queued
    assert reading.delta("resetdesk_code_deliveries_total", provider="email", outcome="failed") == 1
    assert reading.delta("resetdesk_provider_seconds_count", provider="email") == 1
    assert reading.delta("resetdesk_provider_seconds_sum", provider="email") >= 0.01
    assert REGISTRY.get_sample_value("resetdesk_circuit_breaker_open", {"provider": "email"}) == 1
    clock.advance(core.settings.breaker_cooldown_seconds)
    core.email.send = sent.append  # type: ignore[method-assign]
    assert worker.drain() == 1 and len(sent) == 1
    assert reading.delta("resetdesk_code_deliveries_total", provider="email", outcome="sent") == 1
    assert REGISTRY.get_sample_value("resetdesk_circuit_breaker_open", {"provider": "email"}) == 0
    assert b'resetdesk_delivery_queue_depth{provider="email",status="queued"} 0.0' in scrape(core.database)


def test_a_code_given_up_counts_as_given_up(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    reading = Reading()
    core.recovery.send_code(core.recovery.start("E1001", WEB), Method.SMS)
    clock.advance(minutes=11)  # expired before the worker got to it
    assert build_delivery_worker(core).drain() == 1
    assert reading.delta("resetdesk_code_deliveries_total", provider="sms", outcome="given_up") == 1


def test_directory_calls_are_timed_by_operation_and_outcome(core: Core) -> None:
    add_employee(core)
    reading = Reading()
    timed = timed_directory(core.directory)
    assert timed.find("E1001") is not None
    core.recovery.start("E1001", WEB)  # the service holds the timed directory too
    with pytest.raises(TypeError):
        timed.get()  # type: ignore[call-arg]
    assert reading.delta("resetdesk_directory_seconds_count", operation="find", outcome="ok") == 2
    assert reading.delta("resetdesk_directory_seconds_count", operation="get", outcome="error") == 1


def test_labels_outside_their_fixed_sets_become_other() -> None:
    reading = Reading()
    record.handoff("jordan@example.com")
    record.verification("+15555550101", passed=False)
    assert reading.delta("resetdesk_handoffs_total", reason="other") == 1
    assert reading.delta("resetdesk_verifications_total", method="other", outcome="failed") == 1
    text = scrape(None)
    assert b"jordan@example.com" not in text and b"+15555550101" not in text
