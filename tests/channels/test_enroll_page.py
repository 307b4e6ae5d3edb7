"""/enroll through the Flask test client (issue 16): CSRF, the 10-minute idle end, brute force of the sign-in,
the methods, and no secret in a page, log line or stored row."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import Core
from tests.channels.conftest import csrf_of
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.secret_scan import Secrets, find_secrets, stored_places

NEW_PHONE = "+447700900123"
ANSWERS = {"first_pet": "Quokka Biscuit", "birth_city": "Zanzibar Quay", "first_school": "Heronsgate"}


def nobody_on_file(core: Core, employee_id: str = "E2001") -> int:
    """An employee with nothing to verify them by: no contact, no answer."""
    return add_employee(core, employee_id, email="", phone="", answers={})


def sign_in(
    client: FlaskClient, identifier: str = "E2001", password: str = OLD_PASSWORD, address: str = "127.0.0.1"
) -> TestResponse:
    csrf = csrf_of(client.get("/enroll/sign-in").get_data(as_text=True))
    form = {"csrf_token": csrf, "identifier": identifier, "password": password}
    return client.post("/enroll/sign-in", data=form, environ_base={"REMOTE_ADDR": address})


def post(client: FlaskClient, path: str, **form: str) -> TestResponse:
    """A POST from the page the form is on (its CSRF token is the session's)."""
    csrf = csrf_of(client.get("/enroll").get_data(as_text=True))
    return client.post(path, data={"csrf_token": csrf, **form})


def test_sign_in_shows_the_methods_with_headers_locked_down(client: FlaskClient, core: Core) -> None:
    nobody_on_file(core)
    assert client.get("/enroll").headers["Location"].endswith("/enroll/sign-in")
    signed = sign_in(client)
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/enroll")
    page = client.get("/enroll")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not set up" in html and "Sign out" in html
    assert page.headers["Cache-Control"] == "no-store"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "<script" not in html  # works without script; nothing inline


def test_wrong_password_and_unknown_identifier_get_the_same_answer(client: FlaskClient, core: Core) -> None:
    nobody_on_file(core)
    wrong = sign_in(client, password="not my password at all")
    unknown = sign_in(client, identifier="E9999", password="not my password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True).replace(csrf_of(wrong.get_data(as_text=True)), "") == unknown.get_data(
        as_text=True
    ).replace(csrf_of(unknown.get_data(as_text=True)), "")
    assert "not my password" not in wrong.get_data(as_text=True)  # nothing typed comes back
    assert client.get("/enroll").status_code == 303


@pytest.mark.parametrize("form", [{}, {"csrf_token": "forged"}])
def test_posts_without_the_csrf_token_are_refused(client: FlaskClient, core: Core, form: dict[str, str]) -> None:
    nobody_on_file(core)
    refused = client.post("/enroll/sign-in", data={"identifier": "E2001", "password": OLD_PASSWORD, **form})
    assert refused.status_code == 400 and client.get("/enroll").status_code == 303  # not signed in
    sign_in(client)
    for path, fields in [
        ("/enroll/contact/mobile", {"value": NEW_PHONE}),
        ("/enroll/questions", {"question_1": "first_pet", "answer_1": "Quokka"}),
        ("/enroll/remove", {"kind": "questions"}),
        ("/enroll/reconfirm", {}),
        ("/enroll/sign-out", {}),
    ]:
        assert client.post(path, data={**fields, **form}).status_code == 400, path
    assert core.enrollment.methods(core.directory.find("E2001").id).contacts == ()  # type: ignore[union-attr]
    assert client.get("/enroll").status_code == 200  # still signed in: the sign-out was refused too


def test_the_session_ends_after_ten_minutes_idle(client: FlaskClient, core: Core, clock: FakeClock) -> None:
    nobody_on_file(core)
    sign_in(client)
    for _ in range(3):  # activity keeps it alive well past ten minutes in all
        clock.advance(minutes=9, seconds=59)
        assert client.get("/enroll").status_code == 200
    clock.advance(minutes=10, seconds=1)
    ended = client.get("/enroll")
    assert ended.status_code == 303 and ended.headers["Location"].endswith("/enroll/sign-in")
    assert "signed out after 10 minutes" in client.get("/enroll/sign-in").get_data(as_text=True)
    assert client.get("/enroll").status_code == 303  # and it stays ended


def test_an_idle_session_cannot_post(client: FlaskClient, core: Core, clock: FakeClock) -> None:
    nobody_on_file(core)
    sign_in(client)
    csrf = csrf_of(client.get("/enroll").get_data(as_text=True))
    clock.advance(minutes=11)
    late = client.post("/enroll/contact/mobile", data={"csrf_token": csrf, "value": NEW_PHONE})
    assert late.status_code == 303 and late.headers["Location"].endswith("/enroll/sign-in")
    assert core.enrollment.methods(core.directory.find("E2001").id).contacts == ()  # type: ignore[union-attr]


def pause_statuses(client: FlaskClient, identifier: str, address: str, tries: int = 40) -> list[int]:
    return [sign_in(client, identifier, "wrong guess 123", address).status_code for _ in range(tries)]


def test_guessing_passwords_pauses_sign_in_and_unknown_identifiers_alike(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    nobody_on_file(core)
    known = pause_statuses(app.test_client(), "E2001", "10.0.0.1")
    unknown = pause_statuses(app.test_client(), "E9999", "10.0.0.2")
    assert 429 in known and known == unknown, (known, unknown)
    client = app.test_client()
    paused = sign_in(client, "E2001", OLD_PASSWORD, "10.0.0.1")  # the right password is paused too
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 0
    text = paused.get_data(as_text=True)
    assert "paused until" in text and " UTC" in text
    assert client.get("/enroll").status_code == 303


def test_add_a_phone_with_its_code_then_questions(client: FlaskClient, core: Core) -> None:
    account = nobody_on_file(core)
    sign_in(client)
    started = post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    assert started.status_code == 303 and started.headers["Location"].endswith("/enroll/contact/mobile/code")
    page = client.get("/enroll/contact/mobile/code").get_data(as_text=True)
    assert NEW_PHONE in page and "Enter the code" in page
    assert "Not verified" in client.get("/enroll").get_data(as_text=True)
    code = last_outbox_code(core, "sms")
    wrong = post(client, "/enroll/contact/mobile/code", code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert post(client, "/enroll/contact/mobile/code", code=code).status_code == 303
    html = client.get("/enroll").get_data(as_text=True)
    assert "is confirmed" in html and "Verified" in html and "Last confirmed" in html
    fields = {f"question_{n}": q for n, q in enumerate(ANSWERS, 1)}
    fields |= {f"answer_{n}": a for n, a in enumerate(ANSWERS.values(), 1)}
    assert post(client, "/enroll/questions", **fields).status_code == 303
    methods = core.enrollment.methods(account)
    assert methods.count == 2 and methods.questions is not None and methods.questions.count == 3


def test_an_expired_code_asks_for_a_new_one_which_then_works(client: FlaskClient, core: Core, clock: FakeClock) -> None:
    account = nobody_on_file(core)
    sign_in(client)
    post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    old = last_outbox_code(core, "sms")
    clock.advance(minutes=9)
    client.get("/enroll")  # activity: the page session lives on while the code expires
    clock.advance(minutes=2)
    expired = post(client, "/enroll/contact/mobile/code", code=old)
    assert expired.status_code == 410 and "Send a new code" in expired.get_data(as_text=True)
    assert post(client, "/enroll/contact/mobile", value=NEW_PHONE).status_code == 303  # the resend button
    new = last_outbox_code(core, "sms")
    assert post(client, "/enroll/contact/mobile/code", code=new).status_code == 303
    assert core.enrollment.methods(account).count == 1


def test_the_last_method_cannot_be_removed(client: FlaskClient, core: Core) -> None:
    nobody_on_file(core)
    sign_in(client)
    post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    post(client, "/enroll/contact/mobile/code", code=last_outbox_code(core, "sms"))
    assert "Remove mobile number" not in client.get("/enroll").get_data(as_text=True)
    refused = post(client, "/enroll/remove", kind="sms")
    assert refused.status_code == 409
    assert "Verified" in client.get("/enroll").get_data(as_text=True)


def test_directory_contacts_are_shown_read_only(client: FlaskClient, core: Core) -> None:
    add_employee(core, "E2002", answers={})
    sign_in(client, "E2002")
    html = client.get("/enroll").get_data(as_text=True)
    assert "e2002@example.com" in html and "From the company directory" in html
    assert "Remove email address" not in html


def test_methods_due_for_reconfirmation_can_be_confirmed_as_still_mine(client: FlaskClient, core: Core) -> None:
    account = add_employee(core, "E2003")  # answers imported by an admin: never confirmed by the person
    assert core.enrollment.needs_reconfirm(account)
    sign_in(client, "E2003")
    assert "These are still mine" in client.get("/enroll").get_data(as_text=True)
    assert post(client, "/enroll/reconfirm").status_code == 303
    html = client.get("/enroll").get_data(as_text=True)
    assert "confirmed as still yours" in html and "These are still mine" not in html
    assert not core.enrollment.needs_reconfirm(account)


def test_no_secret_reaches_a_page_a_log_line_or_a_stored_row(
    client: FlaskClient, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nobody_on_file(core)
    pages: dict[str, str] = {}

    def keep(name: str, response: TestResponse) -> Any:
        pages[name] = response.get_data(as_text=True) + str(response.headers)
        return response

    keep("failed sign-in", sign_in(client, password="wrong but close 4 testing"))
    keep("sign-in", sign_in(client))
    keep("start", post(client, "/enroll/contact/mobile", value=NEW_PHONE))
    code = last_outbox_code(core, "sms")
    wrong_code = "000000" if code != "000000" else "111111"
    keep("wrong code", post(client, "/enroll/contact/mobile/code", code=wrong_code))
    keep("code", post(client, "/enroll/contact/mobile/code", code=code))
    bad = {"question_1": "first_pet", "answer_1": "Quokka Biscuit", "question_2": "birth_city",
           "answer_2": "Quokka Biscuit", "question_3": "first_school", "answer_3": "Heronsgate"}  # fmt: skip
    keep("repeated answers", post(client, "/enroll/questions", **bad))
    fields = {f"question_{n}": q for n, q in enumerate(ANSWERS, 1)}
    fields |= {f"answer_{n}": a for n, a in enumerate(ANSWERS.values(), 1)}
    keep("questions", post(client, "/enroll/questions", **fields))
    keep("methods", client.get("/enroll"))
    assert "Choose a different" in pages["repeated answers"] or "same" in pages["repeated answers"]
    secrets = Secrets(
        codes={code, wrong_code}, answers=set(ANSWERS.values()), passwords={OLD_PASSWORD, "wrong but close 4 testing"}
    )
    places = {f"page {name}": text for name, text in pages.items()}
    places |= {"logs": caplog.text, **stored_places(core)}
    assert find_secrets(secrets, places) == []
