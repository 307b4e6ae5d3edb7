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
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.http_load import Gunicorn, HttpFigures, load
from bench.web_common import add_accounts, close_core, core_for
from bench.web_turn import floor_app
from core.storage.db import Database

__all__ = ["HttpFigures", "bench_http", "bench_scale_out", "main"]

TARGET_SHARE = 0.5
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "resetdesk_bench"


# -- databases ----------------------------------------------------------------------------------------


def _prepare(database_url: str, conversations: int, first: int = 0, migrate: bool = True) -> list[tuple[int, str]]:
    """Employees first..first+conversations and one pre-created chat session for each."""
    from bench.web_common import precreate_sessions

    core = core_for(database_url, migrate=migrate)
    try:
        add_accounts(core, conversations, first)
        sessions = precreate_sessions(core, conversations)
    finally:
        close_core(core)
    return list(zip(range(first, first + conversations), sessions, strict=True))


def bench_http(seconds: float = 10, conversations: int = 1500, addresses: int = 4096) -> list[HttpFigures]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'http.db'}"
        sessions = _prepare(url, conversations)
        server = Gunicorn("bench.wsgi:resetdesk()", 2, url)
        try:
            rows.append(load("chat API, SQLite", server.port, 2, "chat", sessions, seconds, addresses, url))
        finally:
            server.stop()
        floor_sessions = [(n, f"floor-{n}") for n in range(200_000)]
        floor_database = Database(url)
        floor_app(floor_database)  # creates the floor's table now, before two workers would race to
        floor_database.dispose()
        for name, target in (("bare Flask JSON", "floor()"), ("Flask + SQLAlchemy, 1 row r/w", "database_floor()")):
            server = Gunicorn(f"bench.wsgi:{target}", 2, url)
            try:
                rows.append(load(name, server.port, 2, "floor", floor_sessions, seconds, addresses, None))
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
                    load(f"chat API, PostgreSQL, {workers} worker(s)", server.port, workers, "chat", sessions,
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
