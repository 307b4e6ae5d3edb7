"""`python app.py chat`: a conversation in the terminal. In demo mode, codes sent to the outbox are
printed too, so a whole reset can be finished here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.engine import Engine
from bot.messages import Inbound, Reply
from core.delivery.outbox import Outbox

__all__ = ["run_terminal_chat"]


def _show(reply: Reply, out: TextIO) -> None:
    print(f"ResetDesk: {reply.text}", file=out)
    for number, (label, _value) in enumerate(reply.choices, start=1):
        print(f"   {number}. {label}", file=out)
    if reply.link:
        print(f"   {reply.link.label}: {reply.link.url}", file=out)


def _print_new_outbox(outbox: Outbox, after: int, out: TextIO) -> int:
    for entry in outbox.after(after):
        first_line = entry.body.strip().splitlines()[0]
        print(f"   [demo outbox: {entry.kind} to {entry.recipient}] {first_line}", file=out)
        after = entry.id
    return after


def run_terminal_chat(
    engine: Engine,
    demo_outbox: Outbox | None,
    *,
    user_id: str = "terminal",
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    after_turn: Callable[[], object] = lambda: None,
) -> int:
    print("Talk to ResetDesk (Ctrl-D to leave). Try: I forgot my password", file=out)
    seen = demo_outbox.newest_id() if demo_outbox else 0
    for line in source:
        text = line.strip()
        if not text:
            continue
        for reply in engine.handle(Inbound("terminal", user_id, text)):
            _show(reply, out)
        after_turn()  # e.g. deliver the code just queued, so the outbox below shows it
        if demo_outbox:
            seen = _print_new_outbox(demo_outbox, seen, out)
    return 0
