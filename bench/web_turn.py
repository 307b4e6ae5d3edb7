"""(e) The web turn in process: the chat API through Flask's test client against a bare Flask + SQLAlchemy
endpoint that reads and writes one row per request, on the same SQLite file (WAL), in the same run.

A conversation is: POST /api/chat/sessions, then "reset", the employee ID, "email", the code (read back
from the outbox, outside the timed region), a follow-up. Each conversation comes from its own client
address (REMOTE_ADDR), as real people do; the chat API's per-address and per-session limits are on and
their database work is part of the measured turn. The floor gets the same six requests per conversation.
Chat and floor run interleaved in blocks so machine noise falls on both alike.

Run from the project root: `python -m bench.web_turn [--conversations N] [--profile]`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app import create_app
from bench.common import print_profile
from bench.web_common import WEB_SCRIPT, add_accounts, close_core, core_for, summary_us, web_text
from core.storage.db import Database, count_statements

__all__ = ["WebTurnFigures", "bench_web_turn", "floor_app", "main"]

TARGET_RATIO = 1.3
_TURNS = 1 + len(WEB_SCRIPT)  # session create + the script


class _FloorBase(DeclarativeBase):
    pass


class FloorRow(_FloorBase):
    __tablename__ = "bench_floor_rows"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def floor_app(database: Database) -> Flask:
    """The floor: a bare Flask JSON endpoint that reads one row and writes it back (ORM, one transaction)."""
    _FloorBase.metadata.create_all(database.engine)
    app = Flask("floor")

    @app.post("/floor/<key>")
    def turn(key: str) -> Any:
        body = request.get_json(silent=True) or {}
        text = str(body.get("text", ""))[:2000]
        with database.transaction() as session:
            row = session.get(FloorRow, key)
            if row is None:
                row = FloorRow(key=key, turns=0, payload={})
                session.add(row)
            row.turns += 1
            row.payload = {"last": text}
            turns = row.turns
        return jsonify(messages=[{"text": f"turn {turns}", "choices": [], "expects": "text", "link": None}]), 200

    return app


@dataclass(frozen=True)
class WebTurnFigures:
    conversations: int
    chat_median_us: float
    chat_p99_us: float
    floor_median_us: float
    floor_p99_us: float
    chat_by_turn_us: tuple[float, ...]
    statements_per_turn: float
    conversations_per_s: float

    @property
    def ratio(self) -> float:
        return self.chat_median_us / self.floor_median_us

    @property
    def verdict(self) -> str:
        return "ok" if self.ratio <= TARGET_RATIO else "MISSED"


def _address(number: int) -> str:
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def _chat_conversation(client: Any, number: int, database: Database, samples: list[list[int]] | None) -> None:
    clock = time.perf_counter_ns
    environ = {"REMOTE_ADDR": _address(number)}
    t0 = clock()
    response = client.post("/api/chat/sessions", environ_base=environ)
    t1 = clock()
    if response.status_code != 201:
        raise RuntimeError(f"session create answered {response.status_code}: {response.get_data(as_text=True)}")
    if samples is not None:
        samples[0].append(t1 - t0)
    # The test client keeps the session cookie the response set.
    for turn in range(len(WEB_SCRIPT)):
        text = web_text(turn, number, database.engine)
        t0 = clock()
        response = client.post("/api/chat/messages", json={"text": text}, environ_base=environ)
        t1 = clock()
        if response.status_code != 200:
            raise RuntimeError(f"turn {turn + 1} answered {response.status_code}: {response.get_data(as_text=True)}")
        if turn == 3 and not any(m.get("link") for m in response.get_json()["messages"]):
            raise RuntimeError(f"the code was not accepted: {response.get_json()}")
        if samples is not None:
            samples[turn + 1].append(t1 - t0)


def _floor_conversation(client: Any, number: int, samples: list[int] | None) -> None:
    clock = time.perf_counter_ns
    key = f"floor-{number}"
    for turn in range(_TURNS):
        t0 = clock()
        response = client.post(f"/floor/{key}", json={"text": WEB_SCRIPT[max(turn - 1, 0)]})
        t1 = clock()
        if response.status_code != 200:
            raise RuntimeError(f"floor answered {response.status_code}")
        if samples is not None:
            samples.append(t1 - t0)


def bench_web_turn(conversations: int = 300, warmup: int = 30, block: int = 10) -> WebTurnFigures:
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        core = core_for(f"sqlite:///{Path(folder) / 'web.db'}")
        try:
            add_accounts(core, warmup + conversations + 1)
            chat = create_app(core=core).test_client()
            floor = floor_app(core.database).test_client()
            for number in range(warmup):
                _chat_conversation(chat, number, core.database, None)
                _floor_conversation(floor, number, None)
            gc.collect()
            chat_samples: list[list[int]] = [[] for _ in range(_TURNS)]
            floor_samples: list[int] = []
            chat_wall = 0
            first = warmup
            while first < warmup + conversations:
                numbers = range(first, min(first + block, warmup + conversations))
                started = time.perf_counter_ns()
                for number in numbers:
                    _chat_conversation(chat, number, core.database, chat_samples)
                chat_wall += time.perf_counter_ns() - started
                for number in numbers:
                    _floor_conversation(floor, number, floor_samples)
                first += block
            with count_statements(core.database.engine) as counted:
                _chat_conversation(chat, warmup + conversations, core.database, None)
            # One statement of those counted reads the code back from the outbox (the client's side).
            statements = (counted[0] - 1) / _TURNS
        finally:
            close_core(core)
    chat_all = [ns for turn in chat_samples for ns in turn]
    chat_median, chat_p99 = summary_us(chat_all)
    floor_median, floor_p99 = summary_us(floor_samples)
    return WebTurnFigures(
        conversations=conversations,
        chat_median_us=chat_median,
        chat_p99_us=chat_p99,
        floor_median_us=floor_median,
        floor_p99_us=floor_p99,
        chat_by_turn_us=tuple(summary_us(turn)[0] for turn in chat_samples),
        statements_per_turn=statements,
        conversations_per_s=conversations / (chat_wall / 1e9),
    )


def print_figures(row: WebTurnFigures, out: Any = sys.stdout) -> None:
    print(f"(e) web turn in process, Flask test client, SQLite (WAL), {row.conversations} conversations", file=out)
    print(f"    chat API          median {row.chat_median_us:,.0f} µs   p99 {row.chat_p99_us:,.0f} µs", file=out)
    print(f"    floor (1 row r/w) median {row.floor_median_us:,.0f} µs   p99 {row.floor_p99_us:,.0f} µs", file=out)
    print(
        f"    ratio {row.ratio:.2f}x (target <= {TARGET_RATIO}x: {row.verdict}); "
        f"{row.statements_per_turn:.1f} SQL statements per chat request; {row.conversations_per_s:,.1f} convs/s",
        file=out,
    )
    names = ("create", *("code" if t == "{code}" else t.split(",")[0] for t in WEB_SCRIPT))
    by_turn = ", ".join(f"{name} {value:,.0f}" for name, value in zip(names, row.chat_by_turn_us, strict=True))
    print(f"    chat median by request (µs): {by_turn}", file=out)


def profile_web_turn(conversations: int = 150) -> None:
    """Profile the chat API's conversations (pyinstrument) and print the call tree."""
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        core = core_for(f"sqlite:///{Path(folder) / 'web.db'}")
        try:
            add_accounts(core, conversations + 20)
            chat = create_app(core=core).test_client()
            for number in range(20):
                _chat_conversation(chat, number, core.database, None)

            def conversations_to_profile() -> None:
                for number in range(20, 20 + conversations):
                    _chat_conversation(chat, number, core.database, None)

            print_profile(conversations_to_profile)
        finally:
            close_core(core)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="profile the chat API with pyinstrument instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile_web_turn()
        return 0
    print_figures(bench_web_turn(args.conversations, max(1, args.conversations // 10)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
