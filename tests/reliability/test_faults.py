"""Faults: the database lost in the middle of a reset or of a chat turn. No reset is half applied; no chat
message is silently lost. (Email and SMS providers failing: tests/reliability/test_delivery_faults.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from app import Core, build_core
from bot.store import SqlConversationStore
from channels.web.reset_page import FORM_PATH
from core.storage.db import Database
from core.storage.models import Conversation, OneTimeCode
from core.types import ResetStatus
from tests.channels.conftest import ChatClient, csrf_of
from tests.conftest import CoreFactory
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.support import FakeClock, make_settings
from tests.support.races import (
    NEW_PASSWORD,
    audit_count,
    database_fails,
    history_size,
    reset_token,
    web_app,
)


def codes_sent(core: Core) -> int:
    with core.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(OneTimeCode)) or 0


# -- the database, in the middle of a reset ---------------------------------------------------------------------


def open_reset_page(core: Core) -> tuple[FlaskClient, str, str, int]:
    """(client, path, csrf, account id) for a fresh reset link of E1001 on the whole web app."""
    account_id = add_employee(core)
    client = web_app(core).test_client()
    token = reset_token(core)
    path = f"/reset/{token}"
    csrf = csrf_of(client.get(path, follow_redirects=True).get_data(as_text=True))
    return client, path, csrf, account_id


def submit(client: FlaskClient, csrf: str, password: str = NEW_PASSWORD) -> Any:
    """Post the form the opened link led to (its session, not the URL, names the link)."""
    return client.post(FORM_PATH, data={"csrf_token": csrf, "password": password, "confirmation": password})


def test_database_lost_while_saving_the_password_leaves_it_unchanged_and_the_link_usable(
    make_core: CoreFactory,
) -> None:
    core = make_core()
    client, path, csrf, account_id = open_reset_page(core)
    before = history_size(core, account_id)
    with database_fails(core, r"^\s*UPDATE accounts SET .*password_hash") as failed:
        page = submit(client, csrf)
    assert failed, "the fault was not injected"
    assert page.status_code == 503
    assert "save your new password just now" in page.get_data(as_text=True)
    assert core.directory.verify_password(account_id, OLD_PASSWORD)
    assert not core.directory.verify_password(account_id, NEW_PASSWORD)
    assert history_size(core, account_id) == before
    assert audit_count(core, "account.password_reset") == 0
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])  # given back
    assert submit(client, csrf).status_code == 200
    assert core.directory.verify_password(account_id, NEW_PASSWORD)
    assert history_size(core, account_id) == before + 1


def test_database_down_from_saving_the_password_on_never_half_resets_and_says_so(
    make_core: CoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away between using the link and saving the password, and stays away long enough
    that the link cannot be given back either: the password is unchanged and the page says what to do."""
    core, client, chat = asked_for_a_reset(make_core)
    chat.say("E1001")
    chat.say("email")
    link = chat.say(last_outbox_code(core))[-1]["link"]["url"]
    path = link.removeprefix(core.settings.public_url)
    csrf = csrf_of(client.get(path, follow_redirects=True).get_data(as_text=True))
    account = core.directory.find("E1001")
    assert account is not None
    before = history_size(core, account.id)
    outage = database_fails(core, r".", times=None)
    real_set_password = core.directory.set_password

    def set_password_as_the_database_goes(account_id: int, password: str) -> None:
        outage.__enter__()
        real_set_password(account_id, password)

    monkeypatch.setattr(core.directory, "set_password", set_password_as_the_database_goes)
    try:
        page = submit(client, csrf)
    finally:
        outage.__exit__(None, None, None)
    monkeypatch.undo()

    body = page.get_data(as_text=True)
    assert page.status_code == 503 and "Traceback" not in body
    assert "has not changed" in body and "new link" in body
    assert core.directory.verify_password(account.id, OLD_PASSWORD)
    assert history_size(core, account.id) == before
    # The database is back: the person asks the chat for a new link, as told, and finishes.
    fresh = chat.say("new link")[-1]["link"]["url"].removeprefix(core.settings.public_url)
    assert fresh != path
    assert submit(client, csrf_of(client.get(fresh, follow_redirects=True).get_data(as_text=True))).status_code == 200
    assert core.directory.verify_password(account.id, NEW_PASSWORD)
    assert history_size(core, account.id) == before + 1


def test_app_connections_dropped_between_using_the_link_and_saving_the_password_finish_the_reset(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the server terminates the app's connections (pg_terminate_backend) right after the link
    is used; SQLite: the engine's connections are thrown away. The pool reconnects and the reset completes
    fully (never a spent link with the old password)."""
    url = database.url
    name = f"resetdesk-fault-{id(clock)}"
    if not database.is_sqlite:
        url += f"?application_name={name}"
    core = build_core(make_settings(database_url=url), clock=clock, migrate=False)
    try:
        client, path, csrf, account_id = open_reset_page(core)
        before = history_size(core, account_id)
        real_set_password = core.directory.set_password
        dropped: list[int] = []

        def set_password_after_the_drop(account_id: int, password: str) -> None:
            if database.is_sqlite:
                core.database.engine.dispose()
                dropped.append(1)
            else:
                with database.engine.begin() as admin:  # only this test's connections, by application_name
                    dropped.extend(
                        admin.execute(
                            text(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name AND pid <> pg_backend_pid()"
                            ),
                            {"name": name},
                        ).scalars()
                    )
            real_set_password(account_id, password)

        monkeypatch.setattr(core.directory, "set_password", set_password_after_the_drop)
        assert submit(client, csrf).status_code == 200
        assert dropped
        assert core.directory.verify_password(account_id, NEW_PASSWORD)
        assert history_size(core, account_id) == before + 1
        assert audit_count(core, "account.password_reset") == 1
        assert not core.recovery.link_is_valid(path.rsplit("/", 1)[1])
    finally:
        core.database.dispose()


def test_directory_failing_with_an_operational_error_gives_the_link_back(
    make_core: CoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    core = make_core()
    account_id = add_employee(core)
    token = reset_token(core)

    def lost(*_args: object) -> None:
        raise OperationalError("UPDATE accounts ...", None, ConnectionError("connection lost"))

    monkeypatch.setattr(core.directory, "set_password", lost)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.FAILED
    monkeypatch.undo()
    assert core.directory.verify_password(account_id, OLD_PASSWORD)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE


# -- the database, in the middle of a chat turn ----------------------------------------------------------------


def conversation_row(core: Core, session_id: str) -> tuple[str, dict[str, Any], int]:
    with core.database.transaction() as session:
        row = session.scalars(
            select(Conversation).where(Conversation.channel == "web", Conversation.user_id == session_id)
        ).one()
        return row.state, dict(row.slots), len(row.transcript)


def asked_for_a_reset(make_core: CoreFactory) -> tuple[Core, FlaskClient, ChatClient]:
    """A web chat with E1001 on file, that has just said "I forgot my password"."""
    core = make_core()
    add_employee(core)
    client = web_app(core).test_client()
    chat = ChatClient(client)
    chat.say("I forgot my password")
    return core, client, chat


SAVE = r"^\s*UPDATE conversations SET state"


def test_conversation_save_failing_is_a_plain_503_and_the_message_can_be_sent_again(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    core, client, chat = asked_for_a_reset(make_core)
    before = conversation_row(core, chat.key)
    with database_fails(core, SAVE) as failed:
        response = client.post("/api/chat/messages", json={"text": "E1001"})
    assert failed
    assert response.status_code == 503 and response.is_json
    body = response.get_json()
    assert set(body) == {"error", "message"} and "send it again" in body["message"]
    assert "Traceback" not in response.get_data(as_text=True) and "UPDATE" not in response.get_data(as_text=True)
    assert conversation_row(core, chat.key) == before  # nothing of the turn was kept
    # Once the turn's lease has run out, sending the message again carries on from where it was.
    clock.advance(31)
    assert "confirm it's you" in chat.say("E1001")[-1]["text"]


def test_a_message_resent_right_after_a_failed_save_is_taken(
    make_core: CoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SqlConversationStore, "__init__", _short_wait(SqlConversationStore.__init__))
    core, client, chat = asked_for_a_reset(make_core)
    with database_fails(core, SAVE):
        assert client.post("/api/chat/messages", json={"text": "E1001"}).status_code == 503
    assert "confirm it's you" in chat.say("E1001")[-1]["text"]


def _short_wait(init: Any) -> Any:
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs | {"wait_seconds": 0.3})

    return patched


def test_database_lost_in_the_middle_of_a_turn_keeps_nothing_and_asks_to_send_again(
    make_core: CoreFactory, clock: FakeClock
) -> None:
    """The recovery service's own write fails mid-turn (after the conversation was claimed)."""
    core, client, chat = asked_for_a_reset(make_core)
    chat.say("E1001")
    before = conversation_row(core, chat.key)
    with database_fails(core, r"^\s*INSERT INTO one_time_codes") as failed:
        response = client.post("/api/chat/messages", json={"text": "email"})
    assert failed
    assert response.status_code == 503 and "send it again" in response.get_json()["message"]
    assert conversation_row(core, chat.key) == before
    assert codes_sent(core) == 0
    replies = chat.say("email")  # the lease was given back: the resend is taken at once
    assert replies[-1]["expects"] == "code"
    assert codes_sent(core) == 1
