"""Delivery ports: what sending an email or SMS needs. Adapters beside them (email, sms, outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["DeliveryError", "EmailMessage", "EmailSender", "SmsSender"]


class DeliveryError(Exception):
    """A message could not be handed to its provider. The message never includes the content sent."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel} delivery failed: {reason}")
        self.channel = channel
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    body: str


class EmailSender(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Deliver or raise DeliveryError."""


class SmsSender(Protocol):
    name: str

    def send(self, to: str, body: str) -> None:
        """Deliver or raise DeliveryError."""
