"""A local HTTP server on a free port, in a thread: the shared base of the fake provider APIs."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["serving"]


@contextlib.contextmanager
def serving(
    handler: type[BaseHTTPRequestHandler], *, name: str, before_stop: Callable[[], None] | None = None
) -> Iterator[str]:
    """Serve on 127.0.0.1:0 and yield "http://127.0.0.1:<port>"; `before_stop` releases held requests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # A short poll interval keeps shutdown() (which waits for the serving loop) fast at teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        if before_stop is not None:
            before_stop()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
