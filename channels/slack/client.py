"""Slack Web API clients with short timeouts and the retries Slack asks for."""

from __future__ import annotations

import random

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter

__all__ = ["API_TIMEOUT_SECONDS", "retry_handlers", "web_client"]

API_TIMEOUT_SECONDS = 10


class _EqualJitter(Jitter):
    """Half the interval fixed, half random: short, spread-out waits (slack_sdk's default adds up to 1 s)."""

    def recalculate(self, duration: float) -> float:
        return duration / 2 + random.random() * duration / 2  # timing jitter, not a secret


def retry_handlers() -> list[RetryHandler]:
    """429 waits for Retry-After; 500/503 and dropped connections are retried twice with a short backoff."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.3, jitter=_EqualJitter())
    return [
        RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
    ]


def web_client(api_url: str | None, token: str | None) -> WebClient:
    base_url = api_url or WebClient.BASE_URL
    return WebClient(
        token=token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=API_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )
