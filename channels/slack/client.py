"""Slack Web API clients with short timeouts and the retries Slack asks for."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.web import SlackResponse

__all__ = ["API_TIMEOUT_SECONDS", "call", "retry_handlers", "web_client"]

log = logging.getLogger(__name__)

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


def call(method: str, api: Callable[..., SlackResponse], **kwargs: Any) -> dict[str, Any] | None:
    """One Web API call (the client retries 429s, 5xx and dropped connections); None when it finally fails.
    Logs the method and Slack's error code only: never message text, codes or links."""
    try:
        data = api(**kwargs).data
        return data if isinstance(data, dict) else {}
    except SlackApiError as exc:
        log.warning("Slack %s failed: %s (HTTP %s)", method, exc.response.get("error"), exc.response.status_code)
    except (SlackClientError, OSError) as exc:
        log.warning("Slack %s failed: %s", method, type(exc).__name__)
    return None
