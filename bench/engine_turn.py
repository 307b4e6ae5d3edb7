"""Per-turn cost of Engine.handle on the scripted 5-turn email-code conversation (see bench.common.SCRIPT).

  (a) engine only: MemoryConversationStore + CannedRecoveryService (the bot and dialogs layers alone)
  (b) SqlConversationStore on a SQLite file (WAL) + CannedRecoveryService
  (c) the full stack: build_core's RecoveryService on SQLite with outbox delivery and cheap argon2

Run from the project root: `python -m bench.engine_turn [--only a,b,c] [--scale 1.0] [--profile]`.
"""

from __future__ import annotations

import argparse
import gc
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select

from app import Core, build_core, build_delivery_worker
from bench.common import (
    CODE_PLACEHOLDER,
    SCRIPT,
    CannedRecoveryService,
    Figures,
    figures,
    print_profile,
    print_table,
    print_turns,
)
from bot.engine import Engine
from bot.messages import Inbound, Reply
from bot.store import MemoryConversationStore, SqlConversationStore
from core.clock import SystemClock
from core.directory.sql import EmployeeRecord
from core.storage.db import Database
from core.storage.models import OutboxMessage
from dialogs.recovery import INITIAL
from tests.support import make_settings

__all__ = ["bench_engine_only", "bench_full_stack", "bench_sql_store", "main"]

CodeSource = Callable[[int], str]
_CODE = re.compile(r"\b(\d{6,10})\b")


def _employee_id(number: int) -> str:
    return f"E{number:05d}"


def _check(replies: Sequence[Reply], turn: int) -> None:
    """The conversation must take the happy path, or the figures would time something else."""
    if turn == 3 and not any(reply.link for reply in replies):
        raise RuntimeError(f"turn 4 did not verify the code: {[r.text for r in replies]}")


def _run(engine: Engine, first: int, count: int, code_for: CodeSource, samples: list[list[int]] | None) -> int:
    """Run `count` scripted conversations; append each turn's time (ns) to samples[turn]. Returns wall ns."""
    clock = time.perf_counter_ns
    started = clock()
    for number in range(first, first + count):
        user = f"bench-{number}"
        for turn, template in enumerate(SCRIPT):
            text = (
                code_for(number) if template == CODE_PLACEHOLDER else template.format(employee_id=_employee_id(number))
            )
            inbound = Inbound("bench", user, text)
            t0 = clock()
            replies = engine.handle(inbound)
            t1 = clock()
            if samples is not None:
                samples[turn].append(t1 - t0)
            _check(replies, turn)
    return clock() - started


def _measure(
    name: str, engine: Engine, conversations: int, warmup: int, code_for: CodeSource, target_us: float | None
) -> Figures:
    _run(engine, 0, warmup, code_for, None)
    gc.collect()  # start the timed loop from a clean heap; gc stays enabled while timing
    samples: list[list[int]] = [[] for _ in SCRIPT]
    wall = _run(engine, warmup, conversations, code_for, samples)
    return figures(name, samples, conversations, wall, target_us)


def _canned_code(_: int) -> str:
    return "123456"


def bench_engine_only(conversations: int = 2000, warmup: int = 200) -> Figures:
    settings = make_settings()
    clock = SystemClock()
    engine = Engine(
        CannedRecoveryService(settings),  # type: ignore[arg-type]
        MemoryConversationStore(clock, initial_state=INITIAL),
        clock,
    )
    return _measure("(a) engine, memory store, canned service", engine, conversations, warmup, _canned_code, 50)


def bench_sql_store(conversations: int = 300, warmup: int = 30) -> Figures:
    settings = make_settings()
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.migrate()
        try:
            store = SqlConversationStore(database, clock, initial_state=INITIAL)
            engine = Engine(CannedRecoveryService(settings), store, clock)  # type: ignore[arg-type]
            return _measure(
                "(b) engine, SQLite store, canned service", engine, conversations, warmup, _canned_code, 1000
            )
        finally:
            database.dispose()


def _add_employees(core: Core, count: int) -> None:
    for number in range(count):
        employee_id = _employee_id(number)
        core.directory.upsert(
            EmployeeRecord(
                employee_id=employee_id,
                username=employee_id.lower(),
                full_name="Bench Example",
                email=f"{employee_id.lower()}@example.com",
                phone="+15555550101",
            )
        )


def _outbox_code(core: Core) -> CodeSource:
    worker = build_delivery_worker(core)

    def code_for(number: int) -> str:
        worker.drain()  # codes are queued; send them now, outside the timed region
        recipient = f"{_employee_id(number).lower()}@example.com"
        with core.database.transaction() as session:
            body = session.scalars(
                select(OutboxMessage.body)
                .where(OutboxMessage.kind == "email", OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id.desc())
            ).first()
        match = _CODE.search(body or "")
        if match is None:
            raise RuntimeError(f"no code in the outbox for {recipient}")
        return match.group(1)

    return code_for


def bench_full_stack(conversations: int = 100, warmup: int = 10) -> Figures:
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        # One employee per conversation: an account may be sent a code only every 60 s.
        core = build_core(make_settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}"))
        try:
            _add_employees(core, warmup + conversations)
            store = SqlConversationStore(core.database, core.clock, initial_state=INITIAL)
            engine = Engine(core.recovery, store, core.clock)
            return _measure(
                "(c) full stack, SQLite, outbox, cheap argon2", engine, conversations, warmup, _outbox_code(core), None
            )
        finally:
            core.database.dispose()


def profile_engine_only(conversations: int = 2000) -> None:
    """Profile (a) once (pyinstrument) and print the call tree."""
    settings = make_settings()
    clock = SystemClock()
    store = MemoryConversationStore(clock, initial_state=INITIAL)
    engine = Engine(CannedRecoveryService(settings), store, clock)  # type: ignore[arg-type]
    _run(engine, 0, 100, _canned_code, None)
    print_profile(lambda: _run(engine, 100, conversations, _canned_code, None))


BENCHMARKS: dict[str, Callable[..., Figures]] = {
    "a": bench_engine_only,
    "b": bench_sql_store,
    "c": bench_full_stack,
}
DEFAULTS = {"a": (2000, 200), "b": (300, 30), "c": (100, 10)}


def run(only: Sequence[str], scale: float = 1.0) -> list[Figures]:
    rows = []
    for key in only:
        conversations, warmup = DEFAULTS[key]
        rows.append(BENCHMARKS[key](max(1, int(conversations * scale)), max(1, int(warmup * scale))))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="a,b,c", help="comma-separated subset of a,b,c")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of conversations")
    parser.add_argument("--profile", action="store_true", help="profile (a) with pyinstrument instead")
    parser.add_argument("--steps", action="store_true", help="also print the median time of each turn")
    args = parser.parse_args(argv)
    if args.profile:
        profile_engine_only()
        return 0
    rows = run([key.strip() for key in args.only.split(",") if key.strip()], args.scale)
    print_table(rows)
    if args.steps:
        print_turns(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
