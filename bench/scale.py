"""(g) Scale: turn latency with 1 thousand against 1 million stored conversations (100 thousand accounts),
and process memory after 100 thousand conversations through the engine with the SQL store.

Latency: two SQLite files (WAL), each with 100k accounts, one holding 1k and the other 1M conversations
(bulk-inserted with sqlite3). Full-stack engine turns (real RecoveryService, SqlConversationStore, outbox
delivery, the scripted 5-turn email-code conversation) for the same employees, spread over the directory,
alternate between the two files in blocks. The ratio is the 1M median over the 1k median.

Memory: RSS (from /proc/self/statm) after a warm-up of 1k conversations and again after 100k more, each
run through Engine.handle with the SQLite store and the canned service double (bench.common), so it is
the bot layer and the store that are measured, at about 2,000 conversations a second.

`--scale 0.01` runs it with 10k stored conversations, 1k accounts and 1k conversations for memory.
Run from the project root: `python -m bench.scale [--scale S] [--only latency,memory]`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import CODE_PLACEHOLDER, SCRIPT, CannedRecoveryService
from bench.engine_turn import _run as run_conversations
from bench.web_common import add_accounts, close_core, core_for, employee_id, latest_code, summary_us
from bot.engine import Engine
from bot.messages import Inbound
from bot.store import SqlConversationStore
from core.clock import SystemClock
from core.storage.db import Database
from dialogs.recovery import INITIAL
from tests.support import make_settings

__all__ = ["MemoryFigures", "ScaleFigures", "bench_latency", "bench_memory", "main"]

TARGET_RATIO = 1.2
TARGET_GROWTH_MB = 50
_TRANSCRIPT = json.dumps(
    [
        {"from": "person", "text": "I forgot my password", "at": "2026-01-05T08:00:00"},
        {"from": "bot", "text": "What is your employee ID or username?", "at": "2026-01-05T08:00:00"},
        {"from": "person", "text": "E0000001", "at": "2026-01-05T08:00:10"},
    ]
)


@dataclass(frozen=True)
class ScaleFigures:
    accounts: int
    small: int
    large: int
    small_median_us: float
    small_p99_us: float
    large_median_us: float
    large_p99_us: float
    fill_seconds: float

    @property
    def ratio(self) -> float:
        return self.large_median_us / self.small_median_us


@dataclass(frozen=True)
class MemoryFigures:
    conversations: int
    before_mb: float
    after_mb: float
    seconds: float

    @property
    def growth_mb(self) -> float:
        return self.after_mb - self.before_mb


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _fill_conversations(path: Path, first: int, count: int, batch: int = 50_000) -> None:
    """Bulk-insert finished conversations with sqlite3 directly (the fastest way to a big table)."""
    connection = sqlite3.connect(path)
    try:
        for start in range(first, first + count, batch):
            rows = [
                ("slack", f"U{number:09d}", "done", '{"expects": "text"}', _TRANSCRIPT, 6,
                 "2026-01-04 08:00:00.000000", None)
                for number in range(start, min(first + count, start + batch))
            ]  # fmt: skip
            connection.executemany(
                "INSERT INTO conversations (channel, user_id, state, slots, transcript, version, updated_at,"
                " lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            connection.commit()
    finally:
        connection.close()


def _timed_turns(engine: Engine, database: Database, numbers: Sequence[int], samples: list[int] | None) -> None:
    for number in numbers:
        user = f"scale-{number}"
        for template in SCRIPT:
            if template == CODE_PLACEHOLDER:
                text = latest_code(database.engine, number)
            else:
                text = template.format(employee_id=employee_id(number))
            t0 = time.perf_counter_ns()
            engine.handle(Inbound("bench", user, text))
            t1 = time.perf_counter_ns()
            if samples is not None:
                samples.append(t1 - t0)


def bench_latency(
    accounts: int = 100_000,
    small: int = 1_000,
    large: int = 1_000_000,
    conversations: int = 150,
    warmup: int = 15,
    block: int = 5,
) -> ScaleFigures:
    """Two SQLite files alike but for the number of stored conversations; turns alternate between them in
    blocks so machine noise falls on both alike."""
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        cores, engines = [], []
        fill_seconds = 0.0
        try:
            for name, stored in (("small", small), ("large", large)):
                path = Path(folder) / f"{name}.db"
                core = core_for(f"sqlite:///{path}")
                cores.append(core)
                add_accounts(core, accounts)
                started = time.monotonic()
                _fill_conversations(path, 0, stored)
                fill_seconds = time.monotonic() - started
                store = SqlConversationStore(core.database, core.clock, initial_state=INITIAL)
                engines.append(Engine(core.recovery, store, core.clock))
            # Employees spread over the whole directory; each is used once per file (a code a minute per account).
            step = max(1, accounts // (conversations + warmup))
            numbers = list(range(0, accounts, step))[: conversations + warmup]
            for engine, core in zip(engines, cores, strict=True):
                _timed_turns(engine, core.database, numbers[:warmup], None)
            gc.collect()
            samples: list[list[int]] = [[], []]
            for first in range(warmup, len(numbers), block):
                for index, (engine, core) in enumerate(zip(engines, cores, strict=True)):
                    _timed_turns(engine, core.database, numbers[first : first + block], samples[index])
        finally:
            for core in cores:
                close_core(core)
    small_median, small_p99 = summary_us(samples[0])
    large_median, large_p99 = summary_us(samples[1])
    return ScaleFigures(accounts, small, large, small_median, small_p99, large_median, large_p99, fill_seconds)


def bench_memory(conversations: int = 100_000, warmup: int = 1_000) -> MemoryFigures:
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'memory.db'}")
        database.migrate()
        try:
            clock = SystemClock()
            store = SqlConversationStore(database, clock, initial_state=INITIAL)
            engine = Engine(CannedRecoveryService(make_settings()), store, clock)  # type: ignore[arg-type]
            run_conversations(engine, 0, warmup, lambda _: "123456", None)
            gc.collect()
            before = _rss_mb()
            started = time.monotonic()
            run_conversations(engine, warmup, conversations, lambda _: "123456", None)
            seconds = time.monotonic() - started
            gc.collect()
            after = _rss_mb()
        finally:
            database.dispose()
    return MemoryFigures(conversations, before, after, seconds)


def print_latency(row: ScaleFigures, out: Any = sys.stdout) -> None:
    verdict = "ok" if row.ratio <= TARGET_RATIO else "MISSED"
    print(
        f"(g) scale, full-stack engine turn on SQLite, {row.accounts:,} accounts "
        f"(bulk fill to {row.large:,} conversations took {row.fill_seconds:.0f} s)",
        file=out,
    )
    print(f"    {row.small:>9,} conversations: median {row.small_median_us:,.0f} µs  p99 {row.small_p99_us:,.0f} µs",
          file=out)  # fmt: skip
    print(f"    {row.large:>9,} conversations: median {row.large_median_us:,.0f} µs  p99 {row.large_p99_us:,.0f} µs",
          file=out)  # fmt: skip
    print(f"    ratio {row.ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})", file=out)


def print_memory(row: MemoryFigures, out: Any = sys.stdout) -> None:
    verdict = "ok" if row.growth_mb < TARGET_GROWTH_MB else "MISSED"
    print(
        f"(g) memory: RSS {row.before_mb:.1f} MB -> {row.after_mb:.1f} MB after {row.conversations:,} conversations "
        f"({row.seconds:.0f} s): growth {row.growth_mb:+.1f} MB (target < {TARGET_GROWTH_MB} MB: {verdict})",
        file=out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the table and conversation counts")
    parser.add_argument("--only", default="latency,memory")
    args = parser.parse_args(argv)
    only = set(re.split(r"[,\s]+", args.only))
    if "latency" in only:
        print_latency(
            bench_latency(
                accounts=max(1_000, int(100_000 * args.scale)),
                small=1_000,
                large=max(2_000, int(1_000_000 * args.scale)),
            )
        )
    if "memory" in only:
        print_memory(bench_memory(max(1_000, int(100_000 * args.scale))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
