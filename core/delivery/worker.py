"""The delivery worker: takes due jobs from the queue and hands them to the email and SMS providers, through
each provider's circuit breaker, retrying with a doubling delay; when a code finally cannot be delivered it
tells `failure_listeners` (the bot wires one that tells the person's conversation and offers another way).

It runs as a daemon thread inside `python app.py run`, or alone as `python app.py worker` (several of them,
on any host, against PostgreSQL), and runs the daily housekeeping it is given (the retention purge).
Tests call `run_once()` / `drain()` to deliver at a moment they choose.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from core.delivery.breaker import UNAVAILABLE, CircuitBreaker
from core.delivery.ports import DeliveryError, EmailMessage, EmailSender, SmsSender
from core.delivery.queue import ClaimedJob, DeliveryFailure, DeliveryQueue
from core.metrics import record

__all__ = ["DeliveryWorker"]

log = logging.getLogger(__name__)

FailureListener = Callable[[DeliveryFailure], None]
_DAY_SECONDS = 24 * 3600


class DeliveryWorker:
    def __init__(
        self,
        queue: DeliveryQueue,
        *,
        email: EmailSender,
        sms: SmsSender,
        breakers: Mapping[str, CircuitBreaker],
        poll_seconds: float = 0.5,
        batch: int = 10,
        daily: Callable[[], object] | None = None,
    ) -> None:
        """`daily`: housekeeping (the retention purge) run when the loop starts and then once a day."""
        self.queue = queue
        self._email = email
        self._sms = sms
        self._breakers = breakers
        self._poll = poll_seconds
        self._batch = batch
        self.failure_listeners: list[FailureListener] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._daily = daily
        self._next_daily = 0.0  # time.monotonic() of the next housekeeping run

    # -- one pass -----------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim and work one batch of due jobs; returns how many were worked (sent, retried or given up)."""
        jobs = self.queue.claim(self._batch)
        for job in jobs:
            self._work(job)
        return len(jobs)

    def drain(self, max_batches: int = 1000) -> int:
        """Work batches until nothing is due now (a job waiting for its retry time stays queued)."""
        total = 0
        for _ in range(max_batches):
            worked = self.run_once()
            total += worked
            if not worked:
                break
        return total

    def _work(self, job: ClaimedJob) -> None:
        if job.message is None:
            self._give_up(job, "payload unreadable (was the secret key changed?)")
            return
        if self.queue.expired(job):
            self._give_up(job, "expired before it could be sent")
            return
        if job.attempts > self.queue.max_attempts:
            self._give_up(job, "too many tries")  # a job retaken after its sender died, already tried enough
            return
        message = job.message
        breaker = self._breakers[message.kind]
        try:
            if not message.to:
                # An unknown identifier's decoy: nothing to send, but it fails like a real one while the
                # provider is known to be down, so "could not deliver" does not single out real accounts.
                if not breaker.available:
                    raise DeliveryError(message.kind, UNAVAILABLE)
            elif message.kind == "email":
                with record.provider_call("email"):
                    breaker.call(self._email.send, EmailMessage(message.to, message.subject, message.body))
            else:
                with record.provider_call("sms"):
                    breaker.call(self._sms.send, message.to, message.body)
        except DeliveryError as exc:
            log.warning("delivery job %s (%s) failed, try %s: %s", job.id, job.kind, job.attempts, exc.reason)
            record.delivery(job.kind, "failed")
            self._tell(self.queue.mark_failed(job, exc.reason))
            return
        record.delivery(job.kind, "sent")
        self.queue.mark_sent(job)

    def _give_up(self, job: ClaimedJob, reason: str) -> None:
        log.warning("delivery job %s (%s) given up: %s", job.id, job.kind, reason)
        record.delivery(job.kind, "given_up")
        self._tell(self.queue.mark_failed(job, reason, final=True))

    def _tell(self, failure: DeliveryFailure | None) -> None:
        if failure is None:
            return
        for listener in self.failure_listeners:
            try:
                listener(failure)
            except Exception:  # one listener's bug must not stop the others, nor the worker
                log.exception("delivery failure listener failed")

    # -- running --------------------------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Work until stop(); sleeps `poll_seconds` when nothing is due. A database outage is logged and waited out."""
        failures = 0
        while not self._stopping.is_set():
            self._housekeeping()
            try:
                worked = self.run_once()
                failures = 0
            except Exception:
                failures += 1
                if failures == 1:  # once per outage, not once per poll
                    log.exception("delivery worker pass failed; retrying with a growing pause")
                worked = 0
            if not worked:  # an outage doubles the pause, up to a minute
                self._stopping.wait(min(self._poll * 2 ** max(failures - 1, 0), 60.0))

    def _housekeeping(self) -> None:
        if self._daily is None or time.monotonic() < self._next_daily:
            return
        self._next_daily = time.monotonic() + _DAY_SECONDS
        try:
            self._daily()
        except Exception:  # tried again tomorrow; deliveries go on
            log.exception("daily housekeeping failed")

    def start(self) -> None:
        """Run in a daemon thread of this process (`python app.py run`)."""
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._thread = threading.Thread(target=self.run_forever, name="delivery-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the job in hand and stop (a SIGTERM in `python app.py worker` lands here)."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
