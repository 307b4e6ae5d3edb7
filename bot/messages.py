"""Message types channels exchange with the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogs.replies import Link, Reply, without_link

__all__ = ["Inbound", "Link", "Reply", "without_link"]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person. A conversation is keyed by (channel, user_id)."""

    channel: str
    user_id: str
    text: str
    locale: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
