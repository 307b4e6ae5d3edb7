"""How long code deliveries usually take, so a decoy "send" for an unknown identifier takes as long."""

from __future__ import annotations

import threading
from collections import deque
from statistics import median

from core.types import Method

__all__ = ["DeliveryTimes"]

_WINDOW = 50  # recent deliveries per method: follows a provider getting slower or faster
_CAP_SECONDS = 5.0  # never stall a request longer than this for a decoy


class DeliveryTimes:
    """Per process, like the circuit breaker: each worker learns its providers' speed from its own sends."""

    def __init__(self) -> None:
        self._seen: dict[Method, deque[float]] = {}
        self._lock = threading.Lock()

    def observe(self, method: Method, seconds: float) -> None:
        with self._lock:
            self._seen.setdefault(method, deque(maxlen=_WINDOW)).append(seconds)

    def typical(self, method: Method) -> float:
        with self._lock:
            seen = list(self._seen.get(method, ()))
        return min(median(seen), _CAP_SECONDS) if seen else 0.0
