"""`python app.py chat`: a conversation in the terminal. In demo mode, codes sent to the outbox are
printed too, so a whole reset can be finished here.

What reaches the conversation from elsewhere (the reset page confirming a new password, an agent's words, a
code that could not be delivered) happens in another process: every process's engine delivers it to the
terminal's inbox in the database (terminal_inbox, registered by app.build_engine), and the terminal polls
that inbox, and the outbox, while it waits for a line. Each is printed once: the inbox by sequence number,
the outbox by id, and a turn's own replies are returned, never pushed.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from bot.engine import Engine
from bot.history import ChatHistory
from bot.messages import Inbound, Reply
from bot.push import Deliver
from core.delivery.outbox import Outbox, OutboxEntry

__all__ = ["PROMPT", "TERMINAL", "run_terminal_chat", "terminal_inbox"]

TERMINAL = "terminal"  # the channel name of terminal conversations
PROMPT = "you> "
_AUTHORS = {"bot": "ResetDesk", "agent": "IT support"}


def terminal_inbox(history: ChatHistory) -> Deliver:
    """How any process delivers to a terminal conversation: kept (links without their URL) for it to poll."""

    def deliver(user_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            history.record(user_id, person_text=None, replies=[reply], sender=reply.author)

    return deliver


class _Screen:
    """Prints replies and notices, each followed at once by the prompt when a line is awaited."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._prompted = False

    def say(self, lines: Iterable[str]) -> None:
        lines = list(lines)
        if not lines:
            return
        if self._prompted:  # something arrived while waiting: below the prompt, then the prompt again
            self._out.write("\n")
        self._out.write("".join(line + "\n" for line in lines))
        self._out.flush()
        if self._prompted:
            self.prompt()

    def prompt(self) -> None:
        self._out.write(PROMPT)
        self._out.flush()
        self._prompted = True

    def answered(self) -> None:
        self._prompted = False


class _Lines:
    """Reads the next line only when asked (in a thread, so the terminal keeps polling while a person types;
    only when asked, so a scripted source can answer what was printed)."""

    def __init__(self, source: Iterable[str]) -> None:
        self._source: Iterator[str] = iter(source)
        self._asked: queue.Queue[None] = queue.Queue()
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, name="terminal-input", daemon=True).start()

    def ask(self) -> None:
        self._asked.put(None)

    def wait(self, seconds: float) -> str | None:
        """The line asked for (None at end of input); raises queue.Empty if none came within `seconds`."""
        return self._lines.get(timeout=seconds)

    def _read(self) -> None:
        while True:
            self._asked.get()
            line = next(self._source, None)
            self._lines.put(line)
            if line is None:
                return


def _reply_lines(reply: Reply) -> list[str]:
    lines = [f"{_AUTHORS[reply.author]}: {reply.text}"]
    lines += [f"   {number}. {label}" for number, (label, _value) in enumerate(reply.choices, start=1)]
    if reply.link:
        lines.append(f"   {reply.link.label}: {reply.link.url}")
    return lines


def _stored_reply(message: dict[str, Any]) -> Reply:
    choices = tuple((str(c["label"]), str(c["value"])) for c in message.get("choices") or ())
    return Reply(str(message["text"]), choices, author="agent" if message.get("from") == "agent" else "bot")


def _gist(body: str) -> str:
    """A message's first sentence, without the "ResetDesk:" an SMS starts with: the same notice sent by email
    and by SMS has the same gist."""
    first = body.strip().splitlines()[0].removeprefix("ResetDesk: ")
    return first.split(". ")[0].rstrip(".")


def _outbox_lines(entries: list[OutboxEntry]) -> list[str]:
    """One line per message; a notice sent to several contacts at once is one line naming them all."""
    alike: dict[str, list[OutboxEntry]] = {}
    for entry in entries:
        alike.setdefault(_gist(entry.body), []).append(entry)
    lines = []
    for group in alike.values():
        to = ", ".join(f"{entry.kind} to {entry.recipient}" for entry in group)
        lines.append(f"   [demo outbox: {to}] {group[0].body.strip().splitlines()[0]}")
    return lines


class _Arrivals:
    """What reached this conversation since it was last looked at: pushed replies, then demo outbox messages."""

    def __init__(self, inbox: ChatHistory | None, outbox: Outbox | None, user_id: str) -> None:
        self._inbox, self._outbox, self._user = inbox, outbox, user_id
        self._seen_outbox = outbox.newest_id() if outbox else 0
        self._seq = 0
        while inbox is not None:  # start after what an earlier session of this user was shown
            _, newest = inbox.after(user_id, self._seq)
            if newest == self._seq:
                break
            self._seq = newest

    def lines(self) -> list[str]:
        lines: list[str] = []
        if self._inbox is not None:
            messages, self._seq = self._inbox.after(self._user, self._seq)
            lines += [line for message in messages for line in _reply_lines(_stored_reply(message))]
        if self._outbox is not None:
            entries = self._outbox.after(self._seen_outbox)
            if entries:
                self._seen_outbox = entries[-1].id
            lines += _outbox_lines(entries)
        return lines


def run_terminal_chat(
    engine: Engine,
    demo_outbox: Outbox | None,
    *,
    user_id: str = TERMINAL,
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    after_turn: Callable[[], object] = lambda: None,
    inbox: ChatHistory | None = None,
    poll_seconds: float = 1.0,
) -> int:
    screen, arrivals = _Screen(out), _Arrivals(inbox, demo_outbox, user_id)
    screen.say(["Talk to ResetDesk here; Ctrl-D leaves."])
    screen.say(line for reply in engine.open(TERMINAL, user_id) for line in _reply_lines(reply))
    lines = _Lines(source)
    try:
        while (text := _next_line(lines, screen, arrivals, poll_seconds)) is not None:
            if not text.strip():
                continue
            screen.say(line for reply in engine.handle(Inbound(TERMINAL, user_id, text.strip())) for line in
                       _reply_lines(reply))  # fmt: skip
            after_turn()  # e.g. deliver the code just queued, so the outbox below shows it
            screen.say(arrivals.lines())
    except KeyboardInterrupt:
        pass
    out.write("\n")
    out.flush()
    return 0


def _next_line(lines: _Lines, screen: _Screen, arrivals: _Arrivals, poll_seconds: float) -> str | None:
    screen.prompt()
    lines.ask()
    while True:
        try:
            text = lines.wait(poll_seconds)
        except queue.Empty:
            screen.say(arrivals.lines())  # e.g. "Your password has been changed", from the reset page
            continue
        screen.answered()
        return text
