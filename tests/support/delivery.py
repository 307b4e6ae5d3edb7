"""Delivering what the delivery queue holds at a moment a test chooses (the delivery worker's job)."""

from __future__ import annotations

from typing import Any

__all__ = ["deliver_queued"]


def deliver_queued(core: Any) -> int:
    """Send what the delivery queue holds now, so a test can read its outbox or SMTP server right after the
    chat said "sent". Returns how many jobs were worked."""
    from app import build_delivery_worker  # app imports the whole product: only when a test delivers

    return int(build_delivery_worker(core).drain())
