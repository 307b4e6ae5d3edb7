"""Secrets never reach logs, transcripts, tickets, chat history or the audit trail.

One test drives the representative flows end to end on one app (web chat with an email code and the reset
page, web chat with challenge questions, the terminal engine with an SMS code, a hand-off where the agent
console sends a code, a hand-off where the agent sends a reset link), keeping every code, answer,
password and reset token that was sent, typed or issued, right or wrong. With every log captured at
DEBUG (the application's loggers, transitions, and werkzeug's request log from a real development
server), it then searches the captured logs and every stored place a person or agent can read:
conversation transcripts and slots, tickets (transcript and live-chat lines), the web chat history,
recoveries and audit rows. Nothing may be found.

Not searched: the outbox table (it *is* the delivery of codes in demo mode), hashed columns, and what the
person's own screen shows (the terminal prints the link it sends; the chat shows the person's own words).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import Core, create_app
from tests.conftest import CoreFactory
from tests.support import FakeClock
from tests.support.secret_flows import Flows
from tests.support.secret_scan import Secrets, find_secrets, stored_places


@pytest.fixture
def live_server(make_core: CoreFactory) -> Iterator[tuple[Flask, Core, str]]:
    """The app on the test database, also served by werkzeug's development server (its request log
    line holds the path)."""
    core = make_core()
    app = create_app(core=core)
    app.testing = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, core, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_no_code_answer_password_or_token_in_logs_transcripts_tickets_history_or_audit(
    live_server: tuple[Flask, Core, str], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("transitions", "werkzeug", "resetdesk", "core", "bot", "dialogs", "channels", "app"):
        caplog.set_level(logging.DEBUG, logger=name)
    app, core, url = live_server
    flows = Flows(app, core, clock)
    flows.run_every_flow(url)

    secrets = flows.secrets
    # The flows really used what is searched for: 3 codes sent (one also typed spaced), 2 wrong ones and a
    # code-like number said to support; 4 links; 15 enrolled and 3 wrong answers; 11 passwords.
    assert len(secrets.codes) == 7 and len(secrets.tokens) == 4, secrets
    assert len(secrets.answers) == 18 and len(secrets.passwords) == 11, secrets
    logs = {f"log {r.name} {r.levelname}": r.getMessage() for r in caplog.records}
    logs["log text (with tracebacks)"] = caplog.text
    requests = [r.getMessage() for r in caplog.records if r.name == "werkzeug" and "GET /reset/" in r.getMessage()]
    assert requests, "werkzeug's request line for the reset page was not captured"
    places = logs | stored_places(core) | flows.places
    assert any(p.startswith("ticket message") for p in places) and any(p.startswith("chat history") for p in places)
    assert find_secrets(secrets, places) == []


def test_the_scan_finds_a_secret_where_one_is_left() -> None:
    """The scanner itself: a code, answer, password or token anywhere in a place is reported."""
    secrets = Secrets({"123456"}, {"Marzipan Wombat"}, {"amber kettle"}, {"tok_abc"})
    places = {"log": "checked code 123456", "ticket": "they said marzipan wombat", "clean": "nothing here"}
    places |= {"audit": '{"pw": "AMBER KETTLE"}', "history": "https://x/reset/tok_abc"}
    assert len(find_secrets(secrets, places)) == 4
