"""/enroll in Spanish and German (issue 18): the methods page, its flashes, a refused questions form and a
refused removal meet no English: not in the page's own words, nor in the problems the core returns."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Core
from tests.channels.test_enroll_page import NEW_PHONE, nobody_on_file, post, sign_in
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.dialogs.i18n_support import english_in

LANGUAGES = ["es", "de"]


def shown(page: str) -> list[str]:
    """The page's visible text, one string per text node (tags, scripts and styles left out)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return [html.unescape(part).strip() for part in re.split(r"<[^>]+>", body) if part.strip()]


def speaking(client: FlaskClient, lang: str) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_methods_page_and_its_flashes_have_no_english(client: FlaskClient, core: Core, lang: str) -> None:
    add_employee(core, "E2003")  # directory contacts and imported answers: due for reconfirmation
    speaking(client, lang)
    sign_in(client, "E2003")
    page = client.get("/enroll").get_data(as_text=True)
    assert 'id="reconfirm-title"' in page and 'id="method-questions"' in page
    assert english_in(shown(page)) == []
    assert post(client, "/enroll/reconfirm").status_code == 303
    assert english_in(shown(client.get("/enroll").get_data(as_text=True))) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_pending_contact_and_a_refused_removal_have_no_english(client: FlaskClient, core: Core, lang: str) -> None:
    nobody_on_file(core)
    speaking(client, lang)
    sign_in(client)
    assert english_in(shown(client.get("/enroll").get_data(as_text=True))) == []  # nothing set up yet
    post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    assert english_in(shown(client.get("/enroll").get_data(as_text=True))) == []  # waiting for its code
    post(client, "/enroll/contact/mobile/code", code=last_outbox_code(core, "sms"))
    assert english_in(shown(client.get("/enroll").get_data(as_text=True))) == []  # the flash
    refused = post(client, "/enroll/remove", kind="sms")  # the core refuses: it is the only method
    assert refused.status_code == 409 and 'id="problems"' in refused.get_data(as_text=True)
    assert english_in(shown(refused.get_data(as_text=True))) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_refused_questions_form_has_no_english(client: FlaskClient, core: Core, lang: str) -> None:
    nobody_on_file(core)
    speaking(client, lang)
    sign_in(client)
    fields = {"question_1": "first_pet", "question_2": "birth_city", "question_3": "first_school"}
    fields |= {"answer_1": "ab", "answer_2": "E2001 lives here", "answer_3": "E2001 lives here"}
    refused = post(client, "/enroll/questions", **fields)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and page.count("<li>") >= 3, page  # short, personal, the same twice
    assert english_in(shown(page)) == []
    unchosen = post(client, "/enroll/questions", question_1="first_pet", answer_1="Quokka Biscuit")
    assert unchosen.status_code == 422 and english_in(shown(unchosen.get_data(as_text=True))) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_contact_pages_problems_have_no_english(client: FlaskClient, core: Core, lang: str) -> None:
    nobody_on_file(core)
    speaking(client, lang)
    sign_in(client)
    invalid = post(client, "/enroll/contact/email", value="not an address")  # the core's validation
    assert invalid.status_code == 422 and english_in(shown(invalid.get_data(as_text=True))) == []
    post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    code = last_outbox_code(core, "sms")
    wrong = post(client, "/enroll/contact/mobile/code", code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 422 and english_in(shown(wrong.get_data(as_text=True))) == []
    too_soon = post(client, "/enroll/contact/mobile", value=NEW_PHONE)
    assert too_soon.status_code == 429 and english_in(shown(too_soon.get_data(as_text=True))) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sign_in_pause_has_no_english(app: Flask, core: Core, lang: str) -> None:
    nobody_on_file(core)
    client = speaking(app.test_client(), lang)
    statuses = [sign_in(client, "E2001", "wrong guess 123", "10.0.0.3").status_code for _ in range(40)]
    paused = sign_in(client, "E2001", OLD_PASSWORD, "10.0.0.3")
    assert 429 in statuses and paused.status_code == 429
    text = paused.get_data(as_text=True)
    assert " UTC" in text and english_in(shown(text)) == []
