"""What the hostile-input tests (tests/security/test_input_*.py) share: counting rows and emails, paced chat,
CSV imports, opening the reset page and answering challenge questions in a given Unicode normal form."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import Core
from core.directory.importer import import_employees
from core.secrets.questions import QUESTION_POOL
from core.storage.models import OutboxMessage
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.support import FakeClock, deliver_queued

__all__ = [
    "ACCENTED",
    "CSV_HEADER",
    "METHODS",
    "UNREADABLE",
    "answer_questions",
    "emails_to",
    "import_csv",
    "reset_page",
    "rows",
    "spaced",
]

CSV_HEADER = (
    "employee_id,username,full_name,email,phone,password,question_1,answer_1,question_2,answer_2,question_3,answer_3"
)
METHODS = "How would you like to confirm it's you?"
UNREADABLE = "I couldn't read that. Please type your employee ID (like E1234) or your username."
ACCENTED = {"first_pet": "Zoë 🐶", "birth_city": "Zürich", "first_school": "École Molière"}


def rows(core: Core, model: Any) -> int:
    with core.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def emails_to(core: Core, address: str) -> int:
    deliver_queued(core)
    with core.database.transaction() as session:
        return len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == address)).all())


def spaced(clock: FakeClock, chat: ChatClient, text: str) -> list[dict[str, Any]]:
    clock.advance(4)  # under the per-session message rate
    return chat.say(text)


def import_csv(core: Core, *lines: str) -> Any:
    return import_employees(core.directory, core.answers, io.StringIO("\n".join([CSV_HEADER, *lines]) + "\n"))


def reset_page(app: Flask, core: Core) -> tuple[FlaskClient, str, str]:
    client = app.test_client()
    url = reset_link_via_email(core, ChatClient(client))
    path = url.removeprefix(core.settings.public_url)
    return client, path, csrf_of(client.get(path, follow_redirects=True).get_data(as_text=True))


def answer_questions(chat: ChatClient, clock: FakeClock, answers: dict[str, str], *, form: str) -> str:
    """Answer whatever is asked, in the given Unicode normal form; returns the last reply's text."""
    by_text = {q.text: q.id for q in QUESTION_POOL}
    replies = spaced(clock, chat, "questions")
    for _ in range(3):
        asked = next((qid for text, qid in by_text.items() if text in replies[-1]["text"]), None)
        if asked is None:
            break
        replies = spaced(clock, chat, unicodedata.normalize(form, answers[asked]))  # type: ignore[arg-type]
    return replies[-1]["text"] + ("" if replies[-1]["link"] is None else " [link]")
