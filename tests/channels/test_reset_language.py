"""The reset page's problems in the page's language: the live meter's JSON and the submitted form both come from
core's password policy, which reads the request's language (core.i18n.use_language, set per request)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from channels.web.reset_page import FORM_PATH
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.channels.test_reset_verdict import CHECK, PWNED, submit
from tests.conftest import AppFactory

SHORT = "violin 87"
STRONG = "maple river quietly 1987 lantern"
EXPECTED = {
    "es": ("Usa al menos 12 caracteres (esta tiene 9).", "filtradas en brechas de datos"),
    "de": ("Verwenden Sie mindestens 12 Zeichen (dieses hat 9).", "bei Datenlecks offengelegt"),
}


def open_in(make_app: AppFactory, tmp_path: Path, lang: str) -> tuple[FlaskClient, str]:
    """The reset page opened by a browser that asks for `lang` (its chat too), with PWNED on the breached-passwords
    list."""
    pwned = tmp_path / "pwned.txt"
    pwned.write_text(f"{hashlib.sha1(PWNED.encode(), usedforsecurity=False).hexdigest().upper()}:3\n")
    app, core = make_app(breached_passwords_file=str(pwned))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = f"{lang},en;q=0.5"
    path = reset_link_via_email(core, ChatClient(client)).removeprefix(core.settings.public_url)
    assert client.get(path).status_code == 303
    page = client.get(FORM_PATH)
    assert page.status_code == 200
    return client, page.get_data(as_text=True)


def problems(client: FlaskClient, html: str, password: str) -> list[str]:
    response = client.post(CHECK, json={"password": password}, headers={"X-CSRF-Token": csrf_of(html)})
    assert response.status_code == 200
    return list(response.get_json()["problems"])


@pytest.mark.parametrize("lang", ["es", "de"])
def test_too_short_and_breached_are_said_in_the_pages_language(make_app: AppFactory, tmp_path: Path, lang: str) -> None:
    too_short, breached = EXPECTED[lang]
    client, html = open_in(make_app, tmp_path, lang)
    live = problems(client, html, SHORT)
    assert live[0].startswith(too_short) and "Use at least" not in " ".join(live)
    assert any(breached in problem for problem in problems(client, html, PWNED))
    status, page = submit(client, html, SHORT, SHORT)
    assert status == 422 and too_short in page and "Use at least" not in page
    status, page = submit(client, html, PWNED, PWNED)
    assert status == 422 and breached in page and "data breaches" not in page
    status, page = submit(client, html, PWNED, PWNED + "!")
    assert status == 422 and breached in page and "not the same" not in page


def test_english_stays_english(make_app: AppFactory, tmp_path: Path) -> None:
    client, html = open_in(make_app, tmp_path, "en")
    assert problems(client, html, SHORT)[0].startswith("Use at least 12 characters (this one has 9).")


def test_the_page_follows_the_chat_over_the_browser(make_app: AppFactory) -> None:
    """A person who switched the chat to German, in a browser that asks for English: the reset page reads as the
    chat did (the recovery's language), live check and done page included; a ?lang= on the page still wins."""
    app, core = make_app()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    url = reset_link_via_email(core, ChatClient(client), ("Deutsch", "Passwort vergessen", "E1001", "per E-Mail"))
    path = url.removeprefix(core.settings.public_url)
    assert client.get(path).status_code == 303

    html = client.get(FORM_PATH).get_data(as_text=True)
    assert '<html lang="de">' in html and "Neues Passwort festlegen" in html and "Choose a new password" not in html
    assert problems(client, html, SHORT)[0].startswith(EXPECTED["de"][0])
    assert '<html lang="es">' in client.get(FORM_PATH + "?lang=es").get_data(as_text=True)  # the explicit hint
    status, done = submit(client, html, STRONG, STRONG)
    assert status == 200 and '<html lang="de">' in done and "Ihr Passwort wurde geändert" in done
    spent = client.get(path)  # the link clicked again: the page saying it is spent is in German too
    assert spent.status_code == 410 and '<html lang="de">' in spent.get_data(as_text=True)
