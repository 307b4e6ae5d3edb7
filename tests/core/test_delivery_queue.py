"""The delivery queue on its own: a job exists exactly when its code does (one transaction), its payload is
sealed at rest and blanked once sent, claims are leases, and a code that cannot be sent in time is given up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import Core, build_delivery_worker
from core.delivery.ports import DeliveryError, EmailMessage
from core.delivery.queue import DeliveryQueue, Outgoing
from core.delivery.seal import PayloadSeal, SealError
from core.storage.models import AuditEvent, DeliveryJob, OneTimeCode
from core.types import Method, Requester
from tests.core.conftest import add_employee, last_outbox_code, outbox_count
from tests.support import FakeClock

WEB = Requester("web", "session-1")


def jobs(core: Core) -> list[DeliveryJob]:
    with core.database.transaction() as session:
        rows = list(session.scalars(select(DeliveryJob).order_by(DeliveryJob.id)))
        session.expunge_all()
        return rows


def count(core: Core, model: type[DeliveryJob] | type[OneTimeCode]) -> int:
    with core.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_code_and_its_job_are_written_together_sealed_and_blanked_once_sent(core: Core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    [job] = jobs(core)
    assert job.status == "queued" and job.recovery_id == handle and job.code_id is not None and job.payload
    # At rest neither the recipient nor any text of the message is readable.
    assert b"e1001@example.com" not in job.payload and b"ResetDesk" not in job.payload
    code = last_outbox_code(core)  # the worker sends it
    assert code.encode() not in job.payload
    [sent] = jobs(core)
    assert sent.status == "sent" and sent.payload is None and sent.finished_at is not None


def test_a_rolled_back_send_leaves_neither_code_nor_job(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the transaction fails after the code was written")

    monkeypatch.setattr(DeliveryQueue, "enqueue", refuse)
    with pytest.raises(RuntimeError):
        core.recovery.send_code(handle, Method.EMAIL)
    assert count(core, OneTimeCode) == 0 and count(core, DeliveryJob) == 0


def test_an_unknown_identifier_queues_a_decoy_that_sends_nothing(core: Core) -> None:
    handle = core.recovery.start("E9999", WEB)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    assert len(jobs(core)) == 1  # the same write as for a real account
    assert build_delivery_worker(core).drain() == 1
    with core.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "code.sent")) == 1
    assert [job.status for job in jobs(core)] == ["sent"]
    assert outbox_count(core) == 0


def test_the_seal_is_bound_to_the_key_and_the_kind() -> None:
    seal = PayloadSeal(b"one key")
    sealed = seal.seal({"to": "a@example.com", "body": "123456"}, context="email")
    assert seal.open(sealed, context="email") == {"to": "a@example.com", "body": "123456"}
    with pytest.raises(SealError):
        seal.open(sealed, context="sms")
    with pytest.raises(SealError):
        PayloadSeal(b"another key").open(sealed, context="email")
    assert seal.seal({"body": "x"}, context="sms") != seal.seal({"body": "x"}, context="sms")  # fresh nonce


def test_a_claim_is_a_lease_another_worker_takes_over_after_it(core: Core, clock: FakeClock) -> None:
    with core.database.transaction() as session:
        core.recovery.deliveries.enqueue(session, Outgoing("email", "a@example.com", "hello", "hi"))
    first = core.recovery.deliveries.claim()
    assert len(first) == 1
    assert core.recovery.deliveries.claim() == []  # taken, and the lease is running
    clock.advance(minutes=6)  # the first worker died mid-send
    [again] = core.recovery.deliveries.claim()
    assert again.id == first[0].id and again.attempts == 2
    core.recovery.deliveries.mark_sent(first[0])  # the dead worker's late word counts for nothing
    assert jobs(core)[0].status == "sending"
    core.recovery.deliveries.mark_sent(again)
    assert jobs(core)[0].status == "sent"


def test_a_code_not_sent_before_it_expires_is_given_up(core: Core, clock: FakeClock) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    sends: list[EmailMessage] = []

    def failing(message: EmailMessage) -> None:
        sends.append(message)
        raise DeliveryError("email", "connection refused")

    core.email.send = failing  # type: ignore[method-assign]
    core.recovery.send_code(handle, Method.EMAIL)
    worker = build_delivery_worker(core)
    assert worker.drain() == 1  # first try fails, retried in 5 s
    clock.advance(minutes=11)  # ...but the code has expired by the time the retry is due
    core.email.send = sends.append  # type: ignore[method-assign]
    assert worker.drain() == 1
    assert len(sends) == 1 and jobs(core)[0].status == "failed" and jobs(core)[0].payload is None
    assert count(core, OneTimeCode) == 0  # never seen, so it does not count


def test_a_payload_sealed_under_another_key_is_given_up_not_sent(core: Core, clock: FakeClock) -> None:
    other = DeliveryQueue(core.database, clock, secret=b"a different secret key", max_attempts=3, retry_seconds=5)
    with core.database.transaction() as session:
        other.enqueue(session, Outgoing("email", "a@example.com", "hello", "hi"))
    assert build_delivery_worker(core).drain() == 1
    [job] = jobs(core)
    assert job.status == "failed" and job.payload is None and "secret key" in (job.last_error or "")


def test_a_claim_takes_at_most_its_limit_oldest_first(core: Core) -> None:
    with core.database.transaction() as session:
        for n in range(5):
            core.recovery.deliveries.enqueue(session, Outgoing("email", f"p{n}@example.com", "hello", "hi"))
    first, second = core.recovery.deliveries.claim(limit=2), core.recovery.deliveries.claim(limit=2)
    assert [job.id for job in first] < [job.id for job in second] and len(first) == len(second) == 2
    assert len(core.recovery.deliveries.claim(limit=10)) == 1
