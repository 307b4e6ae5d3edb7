"""Bot API calls with the retries Telegram asks for: flood control (429) waits retry_after once, network
errors and 5xx answers are retried a couple of times with a short backoff. Logs never hold message text
(nor exception messages: Telegram's descriptions can quote a URL, and PTB's InvalidToken quotes the token)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

__all__ = ["RetryPolicy", "call_api", "use_timedelta_periods"]

log = logging.getLogger(__name__)


def use_timedelta_periods() -> None:
    """Opt in to PTB's timedelta time periods (its next major version's behaviour), as PTB documents: by the
    PTB_TIMEDELTA environment variable, which it reads whenever it builds a RetryAfter. Without it, PTB warns
    (PTBDeprecationWarning for the int `retry_after`) on every flood-control answer; _seconds reads either form.
    Called when a Telegram channel is built, not at import: importing a module changes no process state."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_retry_after: float = 5.0  # longer flood waits are not worth holding a webhook for
    backoff: tuple[float, ...] = (0.5, 1.5)  # waits before the retries of a network error or 5xx


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def call_api(method: str, call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Await call(), retrying as the policy says; the last error is raised to the caller."""
    waited_for_flood = False
    network_retries = 0
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            if waited_for_flood:
                log.warning("Telegram %s: still rate limited after waiting; giving up", method)
                raise
            waited_for_flood = True
            wait = min(max(_seconds(exc.retry_after), 0.0), policy.max_retry_after)
            log.info("Telegram %s: rate limited, retrying in %.1f s", method, wait)
            await asyncio.sleep(wait)
        except BadRequest:  # a NetworkError subclass, but retrying the same request cannot help
            raise
        except NetworkError as exc:
            if network_retries >= len(policy.backoff):
                log.warning("Telegram %s failed after %d retries (%s)", method, network_retries, type(exc).__name__)
                raise
            wait = policy.backoff[network_retries]
            network_retries += 1
            log.info("Telegram %s: %s, retry %d in %.1f s", method, type(exc).__name__, network_retries, wait)
            await asyncio.sleep(wait)
