"""Several delivery workers on one queue, each with its own database engine as if on its own host: every job is
sent exactly once. On PostgreSQL a claim skips rows another worker holds (FOR UPDATE SKIP LOCKED) instead of
waiting for them; on SQLite the claim is one conditional UPDATE, atomic because SQLite has one writer."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import EmailMessage
from core.delivery.queue import DeliveryQueue, Outgoing
from core.delivery.worker import DeliveryWorker
from core.storage.db import Database
from core.storage.models import DeliveryJob
from tests.support import FakeClock

JOBS = 120
WORKERS = 4
SECRET = b"delivery workers test key"


class RecordingSender:
    """A provider that takes a moment per message, so workers overlap; records who sent what."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (worker, recipient)
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        time.sleep(0.002)
        with self._lock:
            self.sent.append((threading.current_thread().name, message.to))

    def send_sms(self, to: str, body: str) -> None:
        raise AssertionError("no SMS in this test")


@pytest.fixture
def engines() -> Iterator[list[Database]]:
    """Databases opened by the test (one engine per worker, like separate hosts), disposed afterwards."""
    opened: list[Database] = []
    yield opened
    for database in opened:
        database.dispose()


def queue_on(url: str, clock: FakeClock, engines: list[Database]) -> DeliveryQueue:
    engines.append(Database(url))
    return DeliveryQueue(engines[-1], clock, secret=SECRET, max_attempts=3, retry_seconds=5)


def worker_on(url: str, clock: FakeClock, sender: RecordingSender, engines: list[Database]) -> DeliveryWorker:
    breaker = CircuitBreaker("email", failure_threshold=3, cooldown_seconds=60, clock=clock)
    sms = type("NoSms", (), {"name": "none", "send": sender.send_sms})()
    queue = queue_on(url, clock, engines)
    return DeliveryWorker(queue, email=sender, sms=sms, breakers={"email": breaker}, batch=5)


def test_several_workers_send_every_job_exactly_once(
    database: Database, clock: FakeClock, engines: list[Database]
) -> None:
    queue = queue_on(database.url, clock, engines)
    with database.transaction() as session:
        for n in range(JOBS):
            queue.enqueue(session, Outgoing("email", f"person{n}@example.com", "your code", "code"))
    sender = RecordingSender()
    workers = [worker_on(database.url, clock, sender, engines) for _ in range(WORKERS)]
    threads = [threading.Thread(target=w.drain, name=f"worker-{n}") for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    recipients = Counter(to for _, to in sender.sent)
    assert len(recipients) == JOBS and set(recipients.values()) == {1}, recipients.most_common(3)
    assert len({name for name, _ in sender.sent}) > 1  # the work really was shared
    with database.transaction() as session:
        statuses = Counter(session.scalars(select(DeliveryJob.status)))
    assert statuses == {"sent": JOBS}


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_claim_skips_a_row_another_worker_holds_instead_of_waiting(
    database: Database, clock: FakeClock, engines: list[Database]
) -> None:
    queue = queue_on(database.url, clock, engines)
    with database.transaction() as session:
        for n in range(2):
            queue.enqueue(session, Outgoing("email", f"person{n}@example.com", "your code", "code"))
    with database.transaction() as session:
        first_id, second_id = sorted(session.scalars(select(DeliveryJob.id)))
    claimed: list[int] = []
    with database.engine.connect() as holder:
        holder.execute(text("SELECT id FROM delivery_jobs WHERE id = :id FOR UPDATE"), {"id": first_id})
        # Another worker, mid-claim, holds the first row; this claim must not wait for it.
        other = threading.Thread(target=lambda: claimed.extend(job.id for job in queue.claim(limit=1)))
        other.start()
        other.join(5)
        assert not other.is_alive(), "the claim waited for a row another worker holds"
        holder.rollback()
    assert claimed == [second_id]
