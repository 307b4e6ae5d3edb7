"""Helpers shared by tests: an injectable clock and cheap settings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.settings import Settings

__all__ = ["FakeClock", "make_settings"]


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, 0)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        self._now += timedelta(seconds=seconds, **kwargs)


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: no `.env`, a fixed key, and a cheap argon2 profile.

    The argon2 cost is set with model_copy because Settings refuses values below OWASP's floor.
    """
    base = Settings(_env_file=None, secret_key="test-secret-key-not-for-production", **overrides)  # type: ignore[call-arg]
    cheap = {"argon2_memory_kib": 64, "argon2_time_cost": 1}
    return base.model_copy(update={k: v for k, v in cheap.items() if k not in overrides})
