"""(l) Audit export: 1M audit rows streamed as CSV and JSON Lines (core/reports/export.py), rows per second and
peak memory for the last 100k rows against all 1M. Flat memory between the two is what shows it streams.

The rows are bulk-inserted into a fresh SQLite file (sqlite3 executemany), with 2,000 employees and, for the
newest 10,000 recoveries, their recovery rows (older ones are purged after 30 days, as in production). Each
export runs in a fresh child process: one pass timed and measured by ru_maxrss (the whole process, the
interpreter and SQLAlchemy included), one under tracemalloc (Python allocations only, slower). With
`--postgres URL` (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) the same on a throwaway database
`resetdesk_bench_export` created and dropped there.

Run from the project root: `python -m bench.audit_export [--rows N] [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from core.reports.export import iter_audit_export
from core.storage.db import Database
from core.storage.models import AuditEvent, table_of

__all__ = ["ExportFigures", "bench_audit_export", "main"]

NOW = datetime(2026, 12, 1)
STEP = timedelta(seconds=20)  # 1M rows cover about 231 days
EMPLOYEES = 2_000
KEPT_RECOVERIES = 10_000
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite (compared as text)
_EVENTS = (("recovery.started", {"purpose": "reset"}), ("code.sent", {"method": "email"}),
           ("code.checked", {"outcome": "verified"}), ("verification.passed", {"method": "email", "complete": True}),
           ("link.issued", {}), ("account.password_reset", {"notified": 2}), ("handoff.opened",
           {"reason": "asked", "reference": "RD-1234"}), ("verification.failed", {"method": "questions"}))  # fmt: skip


@dataclass(frozen=True)
class ExportFigures:
    database: str
    fmt: str
    rows: int
    seconds: float
    megabytes: float
    maxrss_mb: float
    traced_peak_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def _audit_rows(count: int) -> Iterator[tuple[Any, ...]]:
    start = NOW - STEP * count
    for n in range(count):
        event, detail = _EVENTS[n % len(_EVENTS)]
        recovery = n // len(_EVENTS)
        actor = "system" if event == "code.sent" else f"user:web:~{recovery % 50_000:016x}"
        account = recovery % EMPLOYEES + 1 if recovery % 10 else None  # one in ten: an unknown identifier
        yield start + STEP * n, event, actor, account, f"rec-{recovery:08d}", json.dumps(detail)


def _fill_sqlite(path: Path, count: int) -> None:
    now = NOW.strftime(_SQLITE_TIME)
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO accounts (id, employee_id, employee_id_key, full_name, locked, failed_sign_ins,"
            " created_at, updated_at) VALUES (?, ?, ?, '', 0, 0, ?, ?)",
            ((i, f"E{i:06d}", f"e{i:06d}", now, now) for i in range(1, EMPLOYEES + 1)),
        )
        newest = count // len(_EVENTS)
        db.executemany(
            "INSERT INTO recoveries (id, account_id, subject, purpose, channel, channel_user, verified_steps,"
            " drawn_questions, agent_override, answer_results, created_at) VALUES (?, ?, 's', 'reset', ?, 'u',"
            " '[]', '[]', 0, '{}', ?)",
            ((f"rec-{r:08d}", r % EMPLOYEES + 1, ("web", "slack", "telegram")[r % 3], now)
             for r in range(max(0, newest - KEPT_RECOVERIES), newest)),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO audit_events (at, event, actor, account_id, recovery_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            ((at.strftime(_SQLITE_TIME), *rest) for at, *rest in _audit_rows(count)),
        )


def _fill_postgres(url: str, count: int) -> None:
    database = Database(url)
    database.migrate()
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (id, employee_id, employee_id_key, full_name, locked, failed_sign_ins, created_at,"
            " updated_at) SELECT g, 'E' || lpad(g::text, 6, '0'), 'e' || lpad(g::text, 6, '0'), '', false, 0, now(),"
            " now() FROM generate_series(1, :employees) g"
        ), {"employees": EMPLOYEES})  # fmt: skip
        table = table_of(AuditEvent)
        batch: list[dict[str, Any]] = []
        for at, event, actor, account, recovery, detail in _audit_rows(count):
            batch.append({"at": at, "event": event, "actor": actor, "account_id": account, "recovery_id": recovery,
                          "detail": json.loads(detail)})  # fmt: skip
            if len(batch) == 10_000:
                connection.execute(insert(table), batch)
                batch.clear()
        if batch:
            connection.execute(insert(table), batch)
    database.dispose()


def _export(url: str, since: datetime, fmt: str, traced: bool, out: Any) -> None:
    """In a child process: export everything since `since`, report rows, time, bytes and memory."""
    database = Database(url)
    if traced:
        tracemalloc.start()
    rows, size, t0 = 0, 0, time.perf_counter()
    for chunk in iter_audit_export(database, since, fmt):  # type: ignore[arg-type]
        rows += chunk.count("\n")
        size += len(chunk.encode())
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    database.dispose()
    out.send((rows - (1 if fmt == "csv" else 0), seconds, size, maxrss_kb / 1024, peak / 1e6))


def _in_child(url: str, since: datetime, fmt: str, traced: bool) -> tuple[int, float, int, float, float]:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: ru_maxrss is this export's alone
    here, there = context.Pipe()
    child = context.Process(target=_export, args=(url, since, fmt, traced, there))
    child.start()
    result = here.recv()
    child.join()
    return result  # type: ignore[no-any-return]


def _measure(label: str, url: str, count: int) -> list[ExportFigures]:
    figures = []
    for rows in (min(100_000, count), count):
        since = NOW - STEP * rows
        for fmt in ("csv", "jsonl"):
            exported, seconds, size, maxrss, _ = _in_child(url, since, fmt, traced=False)
            _, _, _, _, traced = _in_child(url, since, fmt, traced=True)
            if exported != rows:
                raise RuntimeError(f"{label} {fmt}: exported {exported} rows, expected {rows}")
            figures.append(ExportFigures(label, fmt, rows, seconds, size / 1e6, maxrss, traced))
    return figures


def bench_audit_export(count: int = 1_000_000, postgres: str | None = None) -> list[ExportFigures]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        url = f"sqlite:///{folder}/export.db"
        database = Database(url)
        database.migrate()
        database.dispose()
        _fill_sqlite(Path(folder) / "export.db", count)
        figures += _measure("SQLite", url, count)
    if postgres:
        admin = create_engine(make_url(postgres), isolation_level="AUTOCOMMIT")
        bench_url = make_url(postgres).set(database="resetdesk_bench_export")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS resetdesk_bench_export"))
            connection.execute(text("CREATE DATABASE resetdesk_bench_export"))
        try:
            _fill_postgres(bench_url.render_as_string(hide_password=False), count)
            figures += _measure("PostgreSQL", bench_url.render_as_string(hide_password=False), count)
        finally:
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS resetdesk_bench_export WITH (FORCE)"))
            admin.dispose()
    return figures


def print_figures(rows: Sequence[ExportFigures], out: Any = sys.stdout) -> None:
    print("(l) audit export, streamed (core/reports/export.py); each run in a fresh process", file=out)
    for row in rows:
        print(
            f"    {row.database:<10} {row.fmt:<5} {row.rows:>9,} rows {row.megabytes:7.1f} MB in {row.seconds:6.2f} s"
            f" = {row.rows_per_s:>9,.0f} rows/s; max RSS {row.maxrss_mb:6.1f} MB, Python peak (tracemalloc)"
            f" {row.traced_peak_mb:5.1f} MB",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="audit rows to store and export")
    parser.add_argument("--postgres", help="also on PostgreSQL: a server URL (a throwaway database is made)")
    args = parser.parse_args(argv)
    print_figures(bench_audit_export(args.rows, args.postgres))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
