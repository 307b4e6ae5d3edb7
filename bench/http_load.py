"""The HTTP load generator of bench.web_http: gunicorn started on a free port, and 2 processes x 4 threads of
http.client posting each pre-created session's scripted conversation to it (or to a floor endpoint).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.web_common import WEB_SCRIPT, employee_id, latest_code, percentile
from tests.support import json_request

__all__ = ["Gunicorn", "HttpFigures", "load"]

_ROOT = Path(__file__).resolve().parent.parent
_GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass(frozen=True)
class HttpFigures:
    name: str
    workers: int
    requests: int
    seconds: float
    statuses: dict[int, int]
    p50_ms: float
    p99_ms: float

    @property
    def ok_per_s(self) -> float:
        return sum(n for code, n in self.statuses.items() if 200 <= code < 300) / self.seconds


# -- servers ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    def __init__(self, target: str, workers: int, database_url: str) -> None:
        self.port = _free_port()
        env = {**os.environ, "BENCH_DATABASE_URL": database_url, "PYTHONPATH": str(_ROOT)}
        command = [str(_GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"]
        command += ["--backlog", "2048", "--log-level", "warning", target]
        self.process = subprocess.Popen(command, cwd=_ROOT, env=env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = json_request(self.port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn ({target}) did not start")
        for _ in range(workers * 20):  # let every worker answer a few requests before timing
            json_request(self.port, "GET", "/healthz")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- load generator -----------------------------------------------------------------------------------


def _source(number: int, addresses: int) -> str | None:
    if addresses <= 1:
        return None
    slot = number % addresses + 1
    return f"127.{1 + (slot >> 16)}.{(slot >> 8) & 255}.{slot & 255}"


@dataclass(frozen=True)
class _Job:
    port: int
    mode: str  # "chat" | "floor"
    sessions: tuple[tuple[int, str], ...]  # (employee number, session id) this process may use
    threads: int
    seconds: float
    addresses: int
    database_url: str | None


def _load_process(job: _Job) -> tuple[list[float], Counter[int], float]:
    """One load-generator process: threads each run whole conversations until time is up."""
    from sqlalchemy import create_engine

    engine = create_engine(job.database_url) if job.database_url else None
    queue = list(job.sessions)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + job.seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            try:
                number, session_id = queue.pop()
            except IndexError:
                return
            source = _source(number, job.addresses)
            for template in WEB_SCRIPT:
                if time.monotonic() >= deadline:
                    return
                if job.mode == "chat":
                    if template == "{code}":
                        assert engine is not None
                        text = latest_code(engine, number)
                    else:
                        text = template.format(employee_id=employee_id(number))
                    path, token = "/api/chat/messages", session_id
                else:
                    text = "123456" if template == "{code}" else template.format(employee_id=employee_id(number))
                    path, token = f"/floor/{session_id}", None
                t0 = time.perf_counter()
                status, _ = json_request(job.port, "POST", path, {"text": text}, source=source, token=token)
                latencies.append(time.perf_counter() - t0)
                statuses[status] += 1
                if status != 200:
                    break  # the conversation cannot go on (e.g. 429); take the next one

    started = time.monotonic()
    with ThreadPoolExecutor(job.threads) as pool:
        futures = [pool.submit(worker) for _ in range(job.threads)]
    for future in futures:
        future.result()  # a load-generator bug must not pass as a slow server
    elapsed = time.monotonic() - started
    if engine is not None:
        engine.dispose()
    if not queue and elapsed < job.seconds * 0.95:
        print(f"    (load generator ran out of sessions after {elapsed:.1f} s)", file=sys.stderr)
    return latencies, statuses, elapsed


def load(
    name: str,
    port: int,
    workers: int,
    mode: str,
    sessions: Sequence[tuple[int, str]],
    seconds: float,
    addresses: int,
    database_url: str | None,
    processes: int = 2,
    threads: int = 4,
) -> HttpFigures:
    jobs = [
        _Job(port, mode, tuple(sessions[p::processes]), threads, seconds, addresses, database_url)
        for p in range(processes)
    ]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_load_process, jobs)
    latencies = sorted(lat for result in results for lat in result[0])
    statuses: Counter[int] = Counter()
    for result in results:
        statuses.update(result[1])
    elapsed = max(result[2] for result in results)
    return HttpFigures(
        name=name,
        workers=workers,
        requests=len(latencies),
        seconds=elapsed,
        statuses=dict(statuses),
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
    )
