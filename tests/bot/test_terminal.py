"""`python app.py chat`: a whole reset in the terminal, reading the demo outbox lines it prints."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from app import Core
from bot.engine import Engine
from bot.store import SqlConversationStore
from bot.terminal import run_terminal_chat
from core.delivery.outbox import Outbox
from core.types import ResetStatus
from dialogs.recovery import INITIAL
from tests.core.conftest import ANSWERS, add_employee
from tests.support import FakeClock, deliver_queued

NEW_PASSWORD = "terminal chat works 2 well"
Step = str | Callable[[str], str]


def converse(core: Core, clock: FakeClock, script: list[Step]) -> str:
    """Type each step; a callable step computes its line from what the terminal has printed so far."""
    out = io.StringIO()

    def lines() -> Iterator[str]:
        for step in script:
            yield (step(out.getvalue()) if callable(step) else step) + "\n"

    engine = Engine(core.recovery, SqlConversationStore(core.database, clock, initial_state=INITIAL), clock)
    outbox = Outbox(core.database, clock)
    status = run_terminal_chat(
        engine, outbox, user_id="t1", source=lines(), out=out, after_turn=lambda: deliver_queued(core)
    )  # type: ignore[arg-type]
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
