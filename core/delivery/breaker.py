"""A circuit breaker around one delivery provider (SMTP server, SMS API).

After `failure_threshold` consecutive `DeliveryError`s the provider is skipped for `cooldown_seconds`, so a
person is offered another verification channel at once instead of waiting on timeouts. After the cooldown one
trial call is let through (half-open): success closes the breaker, failure opens it for another cooldown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Literal, ParamSpec, TypeVar

from core.clock import Clock
from core.delivery.ports import DeliveryError
from core.metrics import record

__all__ = ["CircuitBreaker"]

P = ParamSpec("P")
T = TypeVar("T")

UNAVAILABLE = "provider temporarily unavailable"


class CircuitBreaker:
    """Closed -> open after N consecutive failures -> half-open after the cooldown -> closed or open again.

    State is kept in process memory on purpose, unlike the rest of ResetDesk: it is a latency optimisation,
    not a security rule, so sharing it through the database would cost a query per send for little gain.
    Each worker learns of an outage by itself within `failure_threshold` failures, and of the recovery
    within one cooldown. Thread-safe: one lock guards the counters; `fn` itself runs outside the lock.
    """

    def __init__(self, name: str, *, failure_threshold: int, cooldown_seconds: float, clock: Clock) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cooldown_seconds <= 0:
            raise ValueError("cooldown_seconds must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial_running = False

    @property
    def state(self) -> Literal["closed", "open", "half-open"]:
        with self._lock:
            return self._state()

    @property
    def available(self) -> bool:
        """Whether a call would be attempted now (closed, or half-open with no trial under way)."""
        with self._lock:
            state = self._state()
            return state == "closed" or (state == "half-open" and not self._trial_running)

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` unless the breaker is open; a `DeliveryError` from `fn` counts as a failure."""
        with self._lock:
            state = self._state()
            if state == "open" or (state == "half-open" and self._trial_running):
                raise DeliveryError(self.name, UNAVAILABLE)
            trial = state == "half-open"
            self._trial_running = self._trial_running or trial
        try:
            result = fn(*args, **kwargs)
        except DeliveryError:
            self._record_failure(trial)
            raise
        except BaseException:
            # Not a provider failure (a bug, KeyboardInterrupt): leave the counters, but free the trial slot.
            if trial:
                with self._lock:
                    self._trial_running = False
            raise
        self._record_success()
        return result

    def _state(self) -> Literal["closed", "open", "half-open"]:
        if self._opened_at is None:
            return "closed"
        elapsed = (self._clock.now() - self._opened_at).total_seconds()
        return "half-open" if elapsed >= self.cooldown_seconds else "open"

    def _record_failure(self, trial: bool) -> None:
        with self._lock:
            self._failures += 1
            if trial:
                self._trial_running = False
            if trial or self._failures >= self.failure_threshold:
                self._opened_at = self._clock.now()
                record.breaker(self.name, is_open=True)

    def _record_success(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                record.breaker(self.name, is_open=False)
            self._failures = 0
            self._opened_at = None
            self._trial_running = False
