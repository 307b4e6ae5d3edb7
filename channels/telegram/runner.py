"""One asyncio event loop in a daemon thread, for python-telegram-bot (asyncio) inside Flask (threads).

The loop starts on first use, so a process that forks workers after create_app (gunicorn --preload) gets
its loop in the worker that uses it. Flask threads hand it coroutines and wait for the result with a timeout.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class LoopThread:
    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def started(self) -> bool:
        return self._loop is not None

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self._name} loop is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(target=self._run, args=(loop, ready), name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule on the loop and return at once."""
        try:
            loop = self._ensure()
        except RuntimeError:
            coroutine.close()  # never awaited: close it so Python does not warn
            raise
        return asyncio.run_coroutine_threadsafe(coroutine, loop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run on the loop and wait; TimeoutError leaves the work running on the loop."""
        return self.submit(coroutine).result(timeout)

    def close(self, cleanup: Callable[[], Coroutine[Any, Any, None]] | None = None, timeout: float = 10.0) -> None:
        """Run `cleanup`, cancel what is left, stop the loop, join the thread and close the loop."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._wind_down(cleanup), loop).result(timeout)
        except Exception as exc:  # closing must not fail the caller (a test finaliser, process exit)
            log.warning("%s loop did not wind down cleanly (%s)", self._name, type(exc).__name__)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()

    @staticmethod
    async def _wind_down(cleanup: Callable[[], Coroutine[Any, Any, None]] | None) -> None:
        current = asyncio.current_task()
        others = [task for task in asyncio.all_tasks() if task is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if cleanup is not None:
            await cleanup()
        loop = asyncio.get_running_loop()
        await loop.shutdown_asyncgens()
        await loop.shutdown_default_executor()
