"""(f) The web turn over HTTP and (h) scale-out: gunicorn (sync workers) with a Python load generator.

(f) gunicorn with 2 workers on a SQLite file (WAL): the chat API (POST messages to pre-created sessions,
    each session one scripted conversation: "reset", employee ID, "email", the code, a follow-up) against a
    bare Flask JSON endpoint in the same configuration, same run: requests/s, p50, p99 and the ratio; and,
    for context, against (e)'s floor (Flask + SQLAlchemy reading and writing one row) over HTTP.
(h) the chat API with 1, 2 and 4 workers on PostgreSQL (a throwaway database `resetdesk_bench`): requests/s.

The load generator is 2 processes x 4 threads of http.client (gunicorn's sync workers close each connection,
so every request opens one). The chat API limits each client address to 240 requests a minute
(RESETDESK_CHAT_REQUESTS_PER_MINUTE) and each session to 20 messages a minute; each conversation therefore
comes from its own loopback address (127.1.x.y), as a thousand locked-out people would. `--addresses 1` sends everything
from 127.0.0.1 instead, to show what that limit does (most requests get 429). Reading the emailed code back
from the outbox is the load generator's work and is not in a request's latency.

Run from the project root: `python -m bench.web_http [--only f,h] [--seconds 10] [--addresses N]`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.web_common import WEB_SCRIPT, add_accounts, core_for, employee_id, latest_code, percentile
from bench.web_turn import floor_app
from core.storage.db import Database
from tests.support import json_request

__all__ = ["HttpFigures", "bench_http", "bench_scale_out", "main"]

TARGET_SHARE = 0.5
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "resetdesk_bench"
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


def _load(
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


# -- databases ----------------------------------------------------------------------------------------


def _prepare(database_url: str, conversations: int, first: int = 0, migrate: bool = True) -> list[tuple[int, str]]:
    """Employees first..first+conversations and one pre-created chat session for each."""
    from bench.web_common import precreate_sessions

    core = core_for(database_url, migrate=migrate)
    try:
        add_accounts(core, conversations, first)
        sessions = precreate_sessions(core, conversations)
    finally:
        core.database.dispose()
    return list(zip(range(first, first + conversations), sessions, strict=True))


def bench_http(seconds: float = 10, conversations: int = 1500, addresses: int = 4096) -> list[HttpFigures]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'http.db'}"
        sessions = _prepare(url, conversations)
        server = Gunicorn("bench.wsgi:resetdesk()", 2, url)
        try:
            rows.append(_load("chat API, SQLite", server.port, 2, "chat", sessions, seconds, addresses, url))
        finally:
            server.stop()
        floor_sessions = [(n, f"floor-{n}") for n in range(200_000)]
        floor_database = Database(url)
        floor_app(floor_database)  # creates the floor's table now, before two workers would race to
        floor_database.dispose()
        for name, target in (("bare Flask JSON", "floor()"), ("Flask + SQLAlchemy, 1 row r/w", "database_floor()")):
            server = Gunicorn(f"bench.wsgi:{target}", 2, url)
            try:
                rows.append(_load(name, server.port, 2, "floor", floor_sessions, seconds, addresses, None))
            finally:
                server.stop()
    return rows


def bench_scale_out(
    seconds: float = 10, conversations: int = 1500, worker_counts: Sequence[int] = (1, 2, 4)
) -> list[HttpFigures]:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DATABASE}"
    rows = []
    try:
        for index, workers in enumerate(worker_counts):
            sessions = _prepare(url, conversations, first=index * conversations, migrate=index == 0)
            server = Gunicorn("bench.wsgi:resetdesk()", workers, url)
            try:
                rows.append(
                    _load(f"chat API, PostgreSQL, {workers} worker(s)", server.port, workers, "chat", sessions,
                          seconds, 4096, url)
                )  # fmt: skip
            finally:
                server.stop()
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    return rows


def print_rows(title: str, rows: Sequence[HttpFigures], out: Any = sys.stdout) -> None:
    print(title, file=out)
    for row in rows:
        other = {code: n for code, n in row.statuses.items() if code != 200}
        print(
            f"    {row.name:<36} {row.ok_per_s:8,.0f} req/s (2xx)   p50 {row.p50_ms:7.1f} ms   "
            f"p99 {row.p99_ms:7.1f} ms   {row.requests:,} requests" + (f"   non-200: {other}" if other else ""),
            file=out,
        )


def print_http(rows: Sequence[HttpFigures], out: Any = sys.stdout) -> None:
    print_rows("(f) web turn over HTTP, gunicorn 2 sync workers, SQLite (WAL), Python load generator", rows, out)
    chat, floor, database_floor = rows
    share = chat.ok_per_s / floor.ok_per_s if floor.ok_per_s else float("nan")
    verdict = "ok" if share >= TARGET_SHARE else "MISSED"
    print(f"    chat / bare Flask throughput: {share:.0%} (target >= {TARGET_SHARE:.0%}: {verdict})", file=out)
    with_database = chat.ok_per_s / database_floor.ok_per_s if database_floor.ok_per_s else float("nan")
    print(f"    chat / Flask + SQLAlchemy 1-row throughput: {with_database:.0%} (context)", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="f,h", help="comma-separated subset of f,h")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--conversations", type=int, default=1500, help="pre-created sessions per server run")
    parser.add_argument("--addresses", type=int, default=4096, help="client addresses to spread the load over")
    args = parser.parse_args(argv)
    only = {key.strip() for key in args.only.split(",")}
    if "f" in only:
        print_http(bench_http(args.seconds, args.conversations, args.addresses))
    if "h" in only:
        rows = bench_scale_out(args.seconds, args.conversations)
        print_rows("(h) scale-out: chat API over HTTP on PostgreSQL, gunicorn sync workers", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
