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
from datetime import datetime
from typing import Any, TextIO

from bot.engine import Engine
from bot.history import ChatHistory
from bot.messages import Inbound, Reply
from bot.push import Deliver
from core.delivery.outbox import Outbox, OutboxEntry
from core.i18n import gettext, use_language
from dialogs.slots import Slots

__all__ = ["PROMPT", "TERMINAL", "run_terminal_chat", "terminal_inbox"]

TERMINAL = "terminal"  # the channel name of terminal conversations
PROMPT = "you> "
_AUTHORS = {"bot": "ResetDesk", "agent": "IT support"}
_SAME_NOTICE_SECONDS = 10  # one notice by email and by SMS is kept twice within moments


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


def _lines_of(replies: list[Reply]) -> list[str]:
    return [line for reply in replies for line in _reply_lines(reply)]


def _stored_reply(message: dict[str, Any]) -> Reply:
    choices = tuple((str(c["label"]), str(c["value"])) for c in message.get("choices") or ())
    return Reply(str(message["text"]), choices, author="agent" if message.get("from") == "agent" else "bot")


def _gist(body: str) -> str:
    """A message's first sentence, without the "ResetDesk:" an SMS starts with: the same notice sent by email
    and by SMS has the same gist."""
    first = body.strip().splitlines()[0].removeprefix("ResetDesk: ")
    return first.split(". ")[0].rstrip(".")


class _Arrivals:
    """What reached this conversation since it was last looked at: pushed replies, then demo outbox messages.

    The change notice goes by email and by SMS: one notice, so one line naming both. Between turns the outbox
    is printed once it stopped growing for a poll (another process writes the two one after the other), and a
    message like one printed moments ago is left out rather than printed twice."""

    def __init__(self, inbox: ChatHistory | None, outbox: Outbox | None, user_id: str) -> None:
        self._inbox, self._outbox, self._user = inbox, outbox, user_id
        self._seen_outbox = self._growing = outbox.newest_id() if outbox else 0
        self._printed: dict[str, datetime] = {}  # gist -> when the message printed under it was kept
        self._seq = 0
        while inbox is not None:  # start after what an earlier session of this user was shown
            _, newest = inbox.after(user_id, self._seq)
            if newest == self._seq:
                break
            self._seq = newest

    def lines(self, *, settled: bool = True) -> list[str]:
        """New lines to print; `settled`: right after a turn, whose deliveries are done (else wait a poll)."""
        lines: list[str] = []
        if self._inbox is not None:
            messages, self._seq = self._inbox.after(self._user, self._seq)
            lines += _lines_of([_stored_reply(message) for message in messages])
        if self._outbox is not None:
            entries = self._outbox.after(self._seen_outbox)
            newest = entries[-1].id if entries else self._seen_outbox
            if entries and (settled or newest == self._growing):
                self._seen_outbox = newest
                lines += self._outbox_lines(entries)
            self._growing = newest
        return lines

    def _outbox_lines(self, entries: list[OutboxEntry]) -> list[str]:
        alike: dict[str, list[OutboxEntry]] = {}
        for entry in entries:
            earlier = self._printed.get(_gist(entry.body))
            if earlier is None or abs((entry.created_at - earlier).total_seconds()) > _SAME_NOTICE_SECONDS:
                alike.setdefault(_gist(entry.body), []).append(entry)
        lines = []
        for gist, group in alike.items():
            self._printed[gist] = group[0].created_at
            to = ", ".join(f"{entry.kind} to {entry.recipient}" for entry in group)
            lines.append(f"   [demo outbox: {to}] {group[0].body.strip().splitlines()[0]}")
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
    lang: str | None = None,
) -> int:
    """`lang` (`chat --lang es`) is the language hint, as a web page's or a Slack user's locale is."""
    screen, arrivals = _Screen(out), _Arrivals(inbox, demo_outbox, user_id)
    with use_language(engine.language(Slots(), lang)):
        screen.say([gettext("Talk to ResetDesk here; Ctrl-D leaves.")])
    screen.say(_lines_of(engine.open(TERMINAL, user_id, lang)))
    lines = _Lines(source)
    try:
        while (text := _next_line(lines, screen, arrivals, poll_seconds)) is not None:
            if not text.strip():
                continue
            screen.say(_lines_of(engine.handle(Inbound(TERMINAL, user_id, text.strip(), locale=lang))))
            after_turn()  # e.g. deliver the code just queued, so the outbox below shows it
            screen.say(arrivals.lines())
    except KeyboardInterrupt:
        pass
    out.write("\n")
    screen.say(arrivals.lines())  # what came in while the last line was awaited
    out.flush()
    return 0


def _next_line(lines: _Lines, screen: _Screen, arrivals: _Arrivals, poll_seconds: float) -> str | None:
    screen.prompt()
    lines.ask()
    while True:
        try:
            text = lines.wait(poll_seconds)
        except queue.Empty:
            screen.say(arrivals.lines(settled=False))  # e.g. "Your password has been changed", from the reset page
            continue
        screen.answered()
        return text
