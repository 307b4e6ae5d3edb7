"""Issue 13, finding 1: the web chat's session token is a credential, so it must leak nowhere.

Against a real gunicorn (2 workers, access log on, every logger at DEBUG so even SQL statements and their
parameters are written), a person walks a full recovery with the session cookie and sets a new password. Then
the access log, the error log, the application log and every row of every table (and, on SQLite, the raw
database files) are searched for the token: it appears nowhere. The old paths, which put the session id in the
URL, answer 410 to someone holding a stolen id; another client without the cookie gets 401; and an unknown,
missing or look-alike token (the conversation's key, its audit pseudonym) gets the very same 401.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app import Core
from core.secrets.pseudonyms import Pseudonyms
from core.settings import PROJECT_ROOT
from core.storage.models import AuditEvent, Base
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support.live_gunicorn import LiveGunicorn, free_port
from tests.support.processes import wait_until_ready
from tests.support.web_client import Answer, WebClient

NEW_PASSWORD = "maple river quietly 1987 lantern"


@pytest.fixture
def gunicorn(make_core: CoreFactory, tmp_path: Path) -> Iterator[LiveGunicorn]:
    core = make_core()
    add_employee(core)
    port, logs = free_port(), tmp_path / "logs"
    logs.mkdir()
    config = tmp_path / "gunicorn_conf.py"
    config.write_text(  # the application's own loggers (and SQLAlchemy's) at DEBUG, into app.log
        "import logging\n"
        f"logging.basicConfig(level=logging.DEBUG, filename={str(logs / 'app.log')!r},\n"
        "                    format='%(asctime)s %(levelname)s %(name)s: %(message)s')\n"
        "logging.getLogger('sqlalchemy.engine').setLevel(logging.INFO)  # every statement and its parameters\n"
    )
    secret = core.settings.secret_key
    assert secret is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESETDESK_")}
    env.update(
        RESETDESK_DATABASE_URL=core.settings.database_url, RESETDESK_SECRET_KEY=secret.get_secret_value(),
        RESETDESK_PUBLIC_URL=f"http://127.0.0.1:{port}", RESETDESK_EMAIL_BACKEND="outbox",
        RESETDESK_SMS_BACKEND="outbox", RESETDESK_DEMO="false", PYTHONUNBUFFERED="1",
    )  # fmt: skip
    command = [
        sys.executable, "-m", "gunicorn", "-c", str(config), "-w", "2", "-b", f"127.0.0.1:{port}",
        "--access-logfile", str(logs / "access.log"), "--error-logfile", str(logs / "error.log"),
        "--log-level", "debug", "app:create_app()",
    ]  # fmt: skip
    worker = [sys.executable, "app.py", "worker"]  # its log lands in worker.log, searched like the others
    processes = []
    for name, argv in (("stdout.log", command), ("worker.log", worker)):
        with (logs / name).open("wb") as sink:
            processes.append(subprocess.Popen(
                argv, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            ))  # fmt: skip
    server = LiveGunicorn(f"http://127.0.0.1:{port}", core, logs, processes)
    try:
        wait_until_ready(server.processes[0], server.url, server.logs / "error.log")
        yield server
    finally:
        server.stop()


def _open_chat(client: WebClient) -> str:
    opened = client.chat("POST", "/api/chat/sessions", {})
    assert opened.status == 201, opened.text
    token = str(opened.json()["session_token"])
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"resetdesk_chat={token};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/chat" in cookie and [c.value for c in client.cookies] == [token]
    return token


def _every_stored_value(core: Core) -> str:
    with core.database.engine.connect() as connection:
        return "\n".join(
            repr(row) for table in Base.metadata.sorted_tables for row in connection.execute(select(table)).all()
        )


def test_a_full_recovery_leaves_the_session_token_in_no_log_and_no_table(gunicorn: LiveGunicorn) -> None:
    core = gunicorn.core
    person = WebClient(gunicorn.url)
    token = _open_chat(person)
    for text in ("I forgot my password", "E1001", "email"):
        person.say(text)
    link = person.say(gunicorn.sent_code())[-1]["link"]
    assert isinstance(link, dict), "the code was not accepted"
    # A client that isn't a browser presents the token as a Bearer header: that must not be logged either.
    history = WebClient(gunicorn.url).chat(
        "GET", "/api/chat/messages?after=0", headers={"Authorization": f"Bearer {token}"}
    )
    assert history.status == 200 and history.json()["messages"]
    done = person.set_password(str(link["url"]), NEW_PASSWORD)
    assert done.status == 200, done.text[:500]
    gunicorn.stop()

    logs = {path.name: path.read_text(errors="replace") for path in gunicorn.logs.iterdir()}
    assert logs["access.log"].count("/api/chat/messages") >= 5  # the access log really was on
    assert "sqlalchemy.engine" in logs["app.log"]  # so was the application log, down to SQL parameters
    for needle in (token, token[:16], token[-16:]):
        leaked = [name for name, text in logs.items() if needle in text]
        assert not leaked, f"the session token is in {leaked}"

    stored = _every_stored_value(core)
    assert token[:16] not in stored and token[-16:] not in stored
    if core.database.is_sqlite:  # the raw files too: freed pages and the write-ahead log keep old bytes
        path = Path(core.settings.database_url.removeprefix("sqlite:///"))
        for file in path.parent.glob(path.name + "*"):
            assert token.encode() not in file.read_bytes(), file.name

    # The audit trail names the person by a keyed pseudonym of the conversation's key, never by the token.
    secret = core.settings.secret_key
    assert secret is not None
    pseudonyms = Pseudonyms(secret.get_secret_value().encode())
    expected = f"user:{pseudonyms.pseudonym('web', pseudonyms.chat_key(token))}"
    with core.database.transaction() as session:
        actors = set(session.scalars(select(AuditEvent.actor)).all())
    assert expected in actors and not any(a.startswith("user:") and a != expected for a in actors)


def test_a_stolen_id_gets_410_and_other_clients_an_identical_401(gunicorn: LiveGunicorn) -> None:
    core = gunicorn.core
    person = WebClient(gunicorn.url)
    token = _open_chat(person)
    for text in ("I forgot my password", "E1001", "email"):
        person.say(text)
    person.say(gunicorn.sent_code())  # verified: "new link" would now issue a reset link

    attacker = WebClient(gunicorn.url)
    for method, body in (("GET", None), ("POST", {"text": "new link"})):
        for path in (f"/api/chat/sessions/{token}/messages", f"/api/chat/sessions/{token}"):
            stolen = attacker.chat(method, path, body)
            assert stolen.status == 410 and stolen.headers.get_content_type() == "application/json"
            assert "messages" not in stolen.json() and token not in stolen.text

    def refusal(answer: Answer) -> tuple[int, bytes, str | None, str | None]:
        return answer.status, answer.body, answer.headers["Content-Type"], answer.headers["WWW-Authenticate"]

    secret = core.settings.secret_key
    assert secret is not None
    pseudonyms = Pseudonyms(secret.get_secret_value().encode())
    key = pseudonyms.chat_key(token)
    look_alikes = [
        {},  # no cookie, no header: another client
        {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"},  # unknown token
        {"Authorization": f"Bearer {key}"},  # the conversation's key, as stored in the database
        {"Authorization": f"Bearer {pseudonyms.pseudonym('web', key)}"},  # its name in the audit trail
        {"Authorization": "Bearer " + "x" * 500},  # malformed
        {"Cookie": f"resetdesk_chat={secrets.token_urlsafe(32)}"},  # unknown token in the cookie
    ]
    answers = [attacker.chat("POST", "/api/chat/messages", {"text": "new link"}, headers=h) for h in look_alikes]
    answers += [attacker.chat("GET", "/api/chat/messages?after=0", headers=h) for h in look_alikes]
    assert {refusal(a) for a in answers[: len(look_alikes)]} == {refusal(answers[0])}
    assert {refusal(a) for a in answers[len(look_alikes) :]} == {refusal(answers[-1])}
    assert refusal(answers[0])[:2] == refusal(answers[-1])[:2] and answers[0].status == 401

    # The person, with their cookie, carries on untouched: nothing the attacker sent reached the conversation.
    replies = person.chat("GET", "/api/chat/messages?after=0")
    assert replies.status == 200
    assert "new link" not in [m["text"] for m in replies.json()["messages"] if m["from"] == "person"]
