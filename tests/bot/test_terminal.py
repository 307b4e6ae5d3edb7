"""`python app.py chat`: a whole reset in the terminal, reading the demo outbox lines it prints; the greeting
and prompt; the reset page's confirmation reaching the terminal from the web app (another process in
test_terminal_process.py); and each notice printed once."""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from app import Core, build_core, wiring
from bot.engine import Engine
from bot.history import ChatHistory
from bot.messages import Reply
from bot.store import SqlConversationStore
from bot.terminal import PROMPT, TERMINAL, run_terminal_chat
from channels.web.reset_page import FORM_PATH
from core.delivery.outbox import Outbox
from core.types import ResetStatus
from dialogs.recovery import INITIAL
from tests.core.conftest import ANSWERS, add_employee
from tests.support import FakeClock, deliver_queued, make_settings
from tests.support.served import ROOT, environment, free_port, served_app
from tests.support.web_client import WebClient

NEW_PASSWORD = "terminal chat works 2 well"


@dataclass(frozen=True)
class Await:
    """A step that types nothing: wait until the terminal prints this by itself (at most 10 s)."""

    printed: str


Step = str | Callable[[str], str | None] | Await  # a callable returning None types nothing


def converse(core: Core, clock: FakeClock, script: list[Step], *, engine: Engine | None = None) -> str:
    """Type each step; a callable step computes its line from what the terminal has printed so far."""
    out = io.StringIO()

    def lines() -> Iterator[str]:
        for step in script:
            if isinstance(step, Await):
                deadline, start = time.monotonic() + 10, len(out.getvalue())
                while step.printed not in out.getvalue()[start:] and time.monotonic() < deadline:
                    time.sleep(0.05)
                continue
            line = step(out.getvalue()) if callable(step) else step
            if line is not None:
                yield line + "\n"

    engine = engine or Engine(core.recovery, SqlConversationStore(core.database, clock, initial_state=INITIAL), clock)
    outbox = Outbox(core.database, clock)
    status = run_terminal_chat(
        engine, outbox, user_id="t1", source=lines(), out=out, after_turn=lambda: deliver_queued(core),  # type: ignore[arg-type]
        inbox=ChatHistory(core.database, clock, TERMINAL), poll_seconds=0.05,
    )  # fmt: skip
    assert status == 0
    return out.getvalue()


def printed_code(screen: str) -> str:
    return re.findall(r"\[demo outbox: email to [^\]]+\] .*?(\d{6})", screen)[-1]


def reset_via_printed_link(core: Core) -> Callable[[str], str]:
    def step(screen: str) -> str:
        token = re.findall(r"Set a new password: \S+/reset/(\S+)", screen)[-1]
        assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
        return "done"

    return step


def test_a_reset_by_email_code_in_the_terminal(core: Core, clock: FakeClock) -> None:
    account_id = add_employee(core)
    screen = converse(
        core, clock, ["I forgot my password", "e1001user", "email", printed_code, reset_via_printed_link(core)]
    )
    assert "Your ResetDesk verification code is" in screen
    assert "Your password has been changed" in screen
    assert core.directory.verify_password(account_id, NEW_PASSWORD)
    # The change notice went by email and by SMS: one notice, printed once, naming both.
    assert screen.count("was just changed through ResetDesk") == 1
    assert "[demo outbox: email to e1001@example.com, sms to +15555550101] The password of" in screen


def test_a_reset_by_questions_in_the_terminal(core: Core, clock: FakeClock) -> None:
    account_id = add_employee(core)

    def answer(screen: str) -> str:
        asked = re.findall(r"Question \d of 2: (.*)", screen)[-1]
        question_id = {"What was the name of your first pet?": "first_pet", "In what city were you born?": "birth_city",
                       "What was the name of your first school?": "first_school"}[asked]  # fmt: skip
        return ANSWERS[question_id]

    screen = converse(core, clock, ["reset", "E1001", "questions", answer, answer, reset_via_printed_link(core)])
    assert "you're verified" in screen and "Your password has been changed" in screen
    assert core.directory.verify_password(account_id, NEW_PASSWORD)
    assert all(answer not in screen for answer in ANSWERS.values())  # never echoed


def test_it_greets_and_prompts_before_each_line(core: Core, clock: FakeClock) -> None:
    screen = converse(core, clock, ["I forgot my password"])
    greeting, asked = screen.split(PROMPT)[:2]
    assert "ResetDesk: Hi, I'm ResetDesk." in greeting and "1. Reset my password" in greeting  # before any input
    assert asked.startswith("ResetDesk: What is your employee ID or username?")
    assert screen.count(PROMPT) == 2  # one per line read: the one typed, and the end of input


def use_reset_page(app: Flask, core: Core) -> Callable[[str], None]:
    """Set the new password on the web app's reset page, as a person opening the printed link does."""

    def step(screen: str) -> None:
        link = re.findall(r"Set a new password: (\S+)", screen)[-1]
        client = app.test_client()
        assert client.get(link.removeprefix(core.settings.public_url)).status_code == 303
        page = client.get(FORM_PATH).get_data(as_text=True)
        csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page)[0]
        form = {"csrf_token": csrf, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
        assert "Your password has been changed" in client.post(FORM_PATH, data=form).get_data(as_text=True)

    return step


def test_the_reset_page_confirms_in_the_terminal_while_it_waits(app: Flask, core: Core, clock: FakeClock) -> None:
    """The web app (its own engine, as another process would have) finishes the reset; the terminal, waiting
    at its prompt, prints the confirmation by itself, once, with the notice (email and SMS) once."""
    account_id = add_employee(core)
    done = "Your password has been changed"
    screen = converse(core, clock, ["reset my password", "E1001", "email", printed_code, use_reset_page(app, core),
                                    Await(done), "thanks"])  # fmt: skip
    assert core.directory.verify_password(account_id, NEW_PASSWORD)
    assert f"{PROMPT}\nResetDesk: {done}" in screen  # printed below the waiting prompt, before anything was typed
    assert screen.count(done) == 1
    assert screen.count("was just changed through ResetDesk") == 1


def test_an_agents_words_reach_the_terminal(app: Flask, core: Core, clock: FakeClock) -> None:
    def agent_writes(screen: str) -> None:
        assert wiring(app).engine.push.deliver(TERMINAL, "t1", [Reply("Hi, this is Sam from IT.", author="agent")])

    screen = converse(core, clock, ["agent", agent_writes, Await("Sam from IT")])
    assert f"{PROMPT}\nIT support: Hi, this is Sam from IT." in screen


class PipedChat:
    """`python app.py chat` with real stdin/stdout pipes, as a person's terminal drives it."""

    def __init__(self, env: dict[str, str]) -> None:
        pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
        self.process = subprocess.Popen([sys.executable, "app.py", "chat"], cwd=ROOT, env=env, text=True, **pipes)
        self._screen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while char := self.process.stdout.read(1):
            self._screen.append(char)

    @property
    def screen(self) -> str:
        return "".join(self._screen)

    def wait_for(self, pattern: str, *, after: int = 0, seconds: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if found := re.compile(pattern).search(self.screen, after):
                return found
            time.sleep(0.05)
        raise AssertionError(f"never printed {pattern!r}:\n{self.screen}")

    def type(self, line: str) -> int:
        """Type a line once the prompt waits for it; returns where the screen was (look for replies after it)."""
        self.wait_for(re.escape(PROMPT) + r"$")
        mark = len(self.screen)
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return mark


@pytest.mark.slow
def test_in_a_real_terminal_process_beside_the_web_app(tmp_path: Path) -> None:
    """Two processes on one database, as README's "Trying it" runs them: the web app, and the chat typed into
    through pipes. The greeting and prompt show before anything is typed; the reset page's confirmation
    shows without typing anything, once."""
    core = build_core(make_settings(database_url=f"sqlite:///{tmp_path / 'shared.db'}"))
    add_employee(core)
    port = str(free_port())
    with served_app(core, tmp_path / "run.log", RESETDESK_PORT=port) as served:
        chat = PipedChat(environment(core, RESETDESK_PORT=port))
        try:
            chat.wait_for(r"ResetDesk: Hi, I'm ResetDesk\..*\n(.*\n)*you> $")  # flushed before any input
            for line in ("I forgot my password", "E1001", "email"):
                chat.type(line)
            code = chat.wait_for(r"\[demo outbox: email to e1001@example.com\] .* (\d{6})").group(1)
            mark = chat.type(code)
            link = chat.wait_for(r"Set a new password: (\S+)", after=mark).group(1)
            chat.wait_for(re.escape(PROMPT) + "$", after=mark)
            assert link.startswith(served.url + "/reset/"), link  # the chat's links name where run serves
            mark = len(chat.screen)
            assert WebClient(served.url).set_password(link, NEW_PASSWORD).status == 200
            chat.wait_for(r"\nResetDesk: Your password has been changed.*\n(.*\n)*you> $", after=mark)
            chat.wait_for(r"\[demo outbox: email to e1001@example.com, sms to \+15555550101\] The password", after=mark)
            chat.process.stdin.close()  # type: ignore[union-attr]  # Ctrl-D
            assert chat.process.wait(timeout=30) == 0
        finally:
            chat.close()
    screen = chat.screen
    assert screen.count("Your password has been changed") == 1
    assert screen.count("was just changed through ResetDesk") == 1
    assert "Traceback" not in screen, screen
    core.database.dispose()


def test_lang_de_greets_and_answers_in_german(core: Core, clock: FakeClock) -> None:
    """`python app.py chat --lang de`: the terminal's language hint, like a Slack user's locale."""
    engine = Engine(core.recovery, SqlConversationStore(core.database, clock, initial_state=INITIAL), clock)
    out = io.StringIO()
    run_terminal_chat(engine, None, user_id="t-de", source=io.StringIO("Passwort vergessen\n"), out=out, lang="de")
    greeting, asked = out.getvalue().split(PROMPT)[:2]
    assert greeting.startswith("Sprechen Sie hier mit ResetDesk; Strg-D beendet.")
    assert "Hallo, ich bin ResetDesk." in greeting and "Mein Passwort zurücksetzen" in greeting
    assert asked.startswith("ResetDesk: Wie lautet Ihre Personalnummer oder Ihr Benutzername?")


def test_the_chat_command_takes_lang() -> None:
    from cli.commands import _chat_arguments

    parser = argparse.ArgumentParser()
    _chat_arguments(parser)
    assert parser.parse_args(["--lang", "es"]).lang == "es"
