"""gunicorn settings for ResetDesk: `gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'` from the project
folder (deploy/resetdesk-web.service does this). Command-line flags (-b, -w) override what is set here.

- Workers: `WEB_CONCURRENCY` (gunicorn's own convention), else 2 x CPUs + 1, at most 8. State lives in the
  database, so any worker takes any request; more workers need PostgreSQL (SQLite serialises writers).
- Bind: `GUNICORN_BIND` (default 127.0.0.1:8000): behind nginx on the same host, never a public address.
- Metrics: prometheus_client's multiprocess mode needs one folder shared by the workers, emptied when the
  server starts (counters of a previous run would be added in) and told when a worker exits (its live
  gauges go). `PROMETHEUS_MULTIPROC_DIR`, else `$RUNTIME_DIRECTORY/metrics` (systemd's RuntimeDirectory=),
  else a fresh private temporary folder.
- Access log without secrets: no query strings, no Referer, and the token of a reset link's path
  (/reset/<token>) replaced by [redacted], whatever the application's own logging does.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))  # so workers import app.py wherever gunicorn was started

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# Chat turns answer in milliseconds and codes are sent by `app.py worker`; a slow directory has its own
# timeout (RESETDESK_LDAP_TIMEOUT_SECONDS), so 30 s only catches a stuck worker.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The request line's path only (%(U)s, no query string), status, size, duration; no Referer, no user name.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")


def _metrics_dir() -> str:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if os.environ.get("RUNTIME_DIRECTORY"):  # systemd: /run/resetdesk, private to the service
        return os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "metrics")
    return tempfile.mkdtemp(prefix="resetdesk-metrics-")


# Set before any worker starts, so every worker (forked from here) writes its metrics to the same folder.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir()


def on_starting(server: Any) -> None:
    """Create the metrics folder and remove the files of processes that are gone (a previous run's counters
    would be summed in). Files of a live process stay: the delivery worker (`app.py worker`) writes its
    deliveries, provider latency and breaker gauges to the same folder, and restarting gunicorn must not erase them."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):  # only prometheus_client's files, <kind>_<pid>.db
        if not _alive(leftover.stem.rsplit("_", 1)[-1]):
            leftover.unlink()


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: its live gauges no longer count (prometheus_client's multiprocess clean-up)."""
    try:
        from prometheus_client import multiprocess
    except ImportError:  # metrics not installed: nothing to clean
        return
    multiprocess.mark_process_dead(worker.pid)


class RedactingLogger(Logger):
    """gunicorn's logger with the access-log fields scrubbed: no query string, no Referer, no credential
    header or cookie (even if someone adds %({authorization}i)s to the format), no reset token in a path."""

    # Only the first request of a reset carries the token; /reset/set-password stays readable.
    _TOKEN_PATH = re.compile(r"/reset/(?!set-password(?![A-Za-z0-9_-]))[A-Za-z0-9_-]+")
    _QUERY = re.compile(r"\?[^ ]*")
    _CREDENTIALS = ("authorization", "cookie", "set-cookie", "x-telegram-bot-api-secret-token", "x-slack-signature")

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in [k for k in atoms if k.startswith("{") and k.endswith(("}i", "}o", "}e"))]:
            name = key[1:-2].removeprefix("http_").replace("_", "-")
            if name in self._CREDENTIALS or name == "query-string":
                del atoms[key]  # SafeAtoms prints "-" for a missing atom
        atoms["q"], atoms["f"] = "", "-"  # the Referer may be a page with a token in its address
        atoms.pop("{referer}i", None)
        for key, value in atoms.items():
            if isinstance(value, str) and ("/reset/" in value or "?" in value) and key not in ("a", "t"):
                atoms[key] = self._TOKEN_PATH.sub("/reset/[redacted]", self._QUERY.sub("", value))
        return atoms


logger_class = RedactingLogger
