"""Shared pieces of the benchmarks: the scripted conversation, a canned RecoveryService double, timing
statistics and the table printer."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.recovery.terms import Terms
from core.secrets.questions import QUESTION_POOL, Question
from core.settings import Settings
from core.types import (
    CheckResult,
    CheckStatus,
    HandoffReason,
    Method,
    Options,
    Purpose,
    Requester,
    ResetLink,
    SendResult,
    SendStatus,
    Ticket,
)

__all__ = [
    "CODE_PLACEHOLDER",
    "SCRIPT",
    "CannedRecoveryService",
    "Figures",
    "figures",
    "print_profile",
    "print_table",
    "print_turns",
]

CODE_PLACEHOLDER = "{code}"
# The scripted 5-turn email-code conversation; "{employee_id}" and "{code}" are filled in per conversation.
SCRIPT: tuple[str, ...] = (
    "I forgot my password",
    "{employee_id}",
    "email",
    CODE_PLACEHOLDER,
    "thanks, I'll check my inbox",
)
_METHODS = (Method.SMS, Method.EMAIL, Method.QUESTIONS)


class CannedRecoveryService:
    """An in-process double of RecoveryService with the methods the dialog calls, answering instantly:
    every identifier is known, every method is offered, every code and answer is right."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.terms = Terms(settings.code_digits, settings.code_ttl_seconds, settings.reset_token_ttl_seconds)
        self._count = 0
        self._expires = datetime(2030, 1, 1)

    def start(self, identifier: str, requester: Requester, purpose: Purpose = Purpose.RESET) -> str:
        self._count += 1
        return f"handle-{self._count}"

    def options(self, handle: str) -> Options:
        return Options(methods=_METHODS)

    def send_code(self, handle: str, method: Method) -> SendResult:
        return SendResult(SendStatus.SENT)

    def verify_code(self, handle: str, typed: str) -> CheckResult:
        return CheckResult(CheckStatus.VERIFIED)

    def questions(self, handle: str) -> list[Question]:
        return list(QUESTION_POOL[:2])

    def answer_question(self, handle: str, question_id: str, answer: str) -> CheckResult | None:
        return CheckResult(CheckStatus.VERIFIED)

    def issue_reset_link(self, handle: str) -> ResetLink:
        return ResetLink(f"https://resetdesk.example/reset/{handle}", self._expires)

    def unlock(self, handle: str) -> None:
        return None

    def open_ticket(self, reason: HandoffReason, requester: Requester, **_: Any) -> Ticket:
        return Ticket("T-0001", reason, 1)


@dataclass(frozen=True)
class Figures:
    name: str
    conversations: int
    turns: int
    median_us: float
    p99_us: float
    conversations_per_s: float
    target_us: float | None = None
    by_turn_us: tuple[float, ...] = ()  # median of each turn of the script

    @property
    def verdict(self) -> str:
        if self.target_us is None:
            return "context"
        return "ok" if self.median_us <= self.target_us else "MISSED"


def figures(
    name: str, by_turn_ns: Sequence[Sequence[int]], conversations: int, wall_ns: int, target_us: float | None = None
) -> Figures:
    """Median and p99 of per-turn times, and conversations per second over the whole timed loop.

    by_turn_ns[i] holds the times (ns) of turn i of the script across conversations.
    """
    ordered = sorted(ns for turn in by_turn_ns for ns in turn)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Figures(
        name=name,
        conversations=conversations,
        turns=len(ordered),
        median_us=statistics.median(ordered) / 1000,
        p99_us=p99 / 1000,
        conversations_per_s=conversations / (wall_ns / 1e9),
        target_us=target_us,
        by_turn_us=tuple(statistics.median(turn) / 1000 for turn in by_turn_ns if turn),
    )


def _us(value: float) -> str:
    return f"{value:,.0f} µs" if value >= 100 else f"{value:,.1f} µs"


def print_table(rows: Sequence[Figures], out: Any = sys.stdout) -> None:
    header = ("benchmark", "convs", "turns", "median/turn", "p99/turn", "convs/s", "target (median)", "")
    lines = [header]
    for row in rows:
        target = f"<= {_us(row.target_us)}" if row.target_us is not None else "-"
        lines.append(
            (
                row.name,
                str(row.conversations),
                str(row.turns),
                _us(row.median_us),
                _us(row.p99_us),
                f"{row.conversations_per_s:,.0f}",
                target,
                row.verdict,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip(), file=out)
        if number == 0:
            print("  ".join("-" * w for w in widths), file=out)


def print_turns(rows: Sequence[Figures], out: Any = sys.stdout) -> None:
    """The median of each turn of the script, per benchmark."""
    print("median by turn: " + " | ".join(SCRIPT), file=out)
    for row in rows:
        print(f"  {row.name}: " + ", ".join(_us(value) for value in row.by_turn_us), file=out)


def print_profile(run: Callable[[], None]) -> None:
    """Sample `run` with pyinstrument and print the call tree. A sampling profiler: cProfile's per-call
    overhead inflates small, often-called functions (it once made a phrase scan look like 20% of a turn)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    run()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))
