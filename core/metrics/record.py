"""The calls core (and the chat API) make to count things: one line at each place, never a failure.

Every label goes through `_pick`, which maps anything outside its fixed set to "other": a label value can
never be an identifier, a destination or free text, and the number of series stays small."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import ParamSpec, TypeVar

from core.metrics import names

__all__ = [
    "breaker",
    "chat_request",
    "completed",
    "conversation_started",
    "delivery",
    "directory_call",
    "handoff",
    "lock",
    "provider_call",
    "verification",
]

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

CHANNELS = frozenset({"web", "slack", "telegram"})
METHODS = frozenset({"email", "sms", "questions", "code"})
PROVIDERS = frozenset({"email", "sms"})
BREAKERS = PROVIDERS | {"directory"}  # core/directory/remote.py has one too
REASONS = frozenset(
    {"asked", "no_method", "provider_down", "verification_locked", "not_understood", "directory_unavailable",
     "methods_unusable"}
)  # fmt: skip
ENDPOINTS = frozenset({"session", "message", "poll", "retired"})
DIRECTORY_OPERATIONS = frozenset(
    {"find", "find_by_email", "get", "verify_password", "is_recent_password", "set_password", "unlock"}
)


def _pick(value: str | None, allowed: Iterable[str]) -> str:
    return value if value is not None and value in allowed else "other"


def conversation_started(channel: str) -> None:
    names.CONVERSATIONS_STARTED.labels(_pick(channel, CHANNELS)).inc()


def verification(method: str, *, passed: bool) -> None:
    names.VERIFICATIONS.labels(_pick(method, METHODS), "passed" if passed else "failed").inc()


def lock(method: str) -> None:
    names.LOCKS.labels(_pick(method, METHODS)).inc()


def delivery(provider: str, outcome: str) -> None:
    names.CODE_DELIVERIES.labels(_pick(provider, PROVIDERS), _pick(outcome, ("sent", "failed", "given_up"))).inc()


def handoff(reason: str) -> None:
    names.HANDOFFS.labels(_pick(reason, REASONS)).inc()


def completed(
    change: str, channel: str | None, steps: Iterable[str], started: datetime | None, *, finished: datetime
) -> None:
    """A reset or unlock done. `steps`: the methods that verified ("agent" when none: an agent's link or
    override); `started`: when the recovery began (its row's created_at), for the time-to-reset histogram."""
    method = "+".join(_pick(step, METHODS) for step in sorted(set(steps))) or "agent"
    change = _pick(change, ("password_reset", "unlocked"))
    names.COMPLETED.labels(change, _pick(channel, CHANNELS), method).inc()
    if change == "password_reset" and started is not None and finished >= started:
        names.TIME_TO_RESET_SECONDS.observe((finished - started).total_seconds())


def breaker(provider: str, *, is_open: bool) -> None:
    names.BREAKER_OPEN.labels(_pick(provider, BREAKERS)).set(1 if is_open else 0)


@contextmanager
def provider_call(provider: str) -> Iterator[None]:
    with names.PROVIDER_SECONDS.labels(_pick(provider, PROVIDERS)).time():
        yield


def directory_call(operation: str, seconds: float, *, ok: bool) -> None:
    names.DIRECTORY_SECONDS.labels(_pick(operation, DIRECTORY_OPERATIONS), "ok" if ok else "error").observe(seconds)


def chat_request(endpoint: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a chat API view: its latency is observed however it ends (an answer, a 4xx, an error)."""
    histogram = names.CHAT_REQUEST_SECONDS.labels(_pick(endpoint, ENDPOINTS))

    def decorate(view: Callable[P, T]) -> Callable[P, T]:
        @wraps(view)
        def timed(*args: P.args, **kwargs: P.kwargs) -> T:
            started = time.perf_counter()
            try:
                return view(*args, **kwargs)
            finally:
                histogram.observe(time.perf_counter() - started)

        return timed

    return decorate
