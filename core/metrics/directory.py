"""A directory backend that times every call (resetdesk_directory_seconds), wrapped once in app.py so every
user of the directory (recovery, support, enrollment) is measured the same way."""

from __future__ import annotations

import time
from typing import Any, cast

from core.directory.port import DirectoryBackend
from core.metrics.record import DIRECTORY_OPERATIONS, directory_call

__all__ = ["timed_directory"]


class _TimedDirectory:
    def __init__(self, inner: DirectoryBackend) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in DIRECTORY_OPERATIONS or not callable(attribute):
            return attribute  # anything else (a backend's own helpers, settings) passes through untimed

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            ok = False
            try:
                result = attribute(*args, **kwargs)
                ok = True
                return result
            finally:
                directory_call(name, time.perf_counter() - started, ok=ok)

        return timed


def timed_directory(directory: DirectoryBackend) -> DirectoryBackend:
    return cast(DirectoryBackend, _TimedDirectory(directory))
