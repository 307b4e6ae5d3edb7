"""The reset page's verdict: the live check gives the submit's whole verdict (names, history, breached list),
the rules are on the page, an error keeps the typed password, a mismatch is said at the second field, and the
success page links to the portal."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Core
from channels.web.reset_page import FORM_PATH
from core.secrets.password_policy import BREACHED
from tests.channels.conftest import csrf_of
from tests.channels.test_reset_page import STRONG, open_page
from tests.conftest import AppFactory
from tests.core.conftest import OLD_PASSWORD

CHECK = FORM_PATH + "/check"
PWNED = "correct horse battery staple"  # zxcvbn: 4 of 4; only the Pwned Passwords file knows it
LAST_5 = "It is one of your last 5 passwords; choose a new one."


def check(client: FlaskClient, html: str, password: str) -> dict[str, object]:
    response = client.post(CHECK, json={"password": password}, headers={"X-CSRF-Token": csrf_of(html)})
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    return dict(response.get_json())


def submit(client: FlaskClient, html: str, password: str, confirmation: str) -> tuple[int, str]:
    form = {"csrf_token": csrf_of(html), "password": password, "confirmation": confirmation}
    response = client.post(FORM_PATH, data=form)
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_data(as_text=True)


def field(html: str, name: str) -> str:
    match = re.search(rf'<input id="{name}"[^>]*>', html)
    assert match is not None, html
    return match.group(0)


def test_the_live_check_refuses_one_of_the_last_5_like_submit_does(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    live = check(client, html, OLD_PASSWORD)  # the current password: zxcvbn alone scores it 4
    assert live == {"acceptable": False, "problems": [LAST_5], "strength": 1, "label": "Not accepted"}
    status, page = submit(client, html, OLD_PASSWORD, OLD_PASSWORD)
    assert status == 422 and LAST_5 in page


def test_a_history_of_one_says_current_password_not_last_1_passwords(make_app: AppFactory) -> None:
    app, core = make_app(password_history=1)
    client, _, html, _ = open_page(app, core)
    live = check(client, html, OLD_PASSWORD)
    assert live["problems"] == ["It is your current password; choose a new one."]


def test_the_live_check_names_names_and_ids(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    live = check(client, html, "Jordan violin harbour 1987 e1001")
    assert live["acceptable"] is False and live["label"] == "Not accepted"
    assert any("employee ID" in str(problem) for problem in live["problems"])  # type: ignore[attr-defined]


def test_a_password_in_the_pwned_passwords_file_is_refused_live_and_on_submit(
    make_app: AppFactory, tmp_path: Path
) -> None:
    pwned = tmp_path / "pwned.txt"
    hashes = sorted(hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest().upper() for p in (PWNED, "x" * 12))
    pwned.write_text("".join(f"{h}:{n}\n" for n, h in enumerate(hashes, 1)))
    app, core = make_app(breached_passwords_file=str(pwned))
    client, _, html, _ = open_page(app, core)
    assert check(client, html, PWNED) == {
        "acceptable": False,
        "problems": [BREACHED],
        "strength": 1,
        "label": "Not accepted",
    }
    status, page = submit(client, html, PWNED, PWNED)
    assert status == 422 and "exposed in data breaches" in page


def test_the_live_check_is_limited_per_reset_session(make_app: AppFactory) -> None:
    app, core = make_app(reset_checks_per_minute=3)
    client, _, html, _ = open_page(app, core)
    for _ in range(3):
        check(client, html, STRONG)
    refused = client.post(CHECK, json={"password": STRONG}, headers={"X-CSRF-Token": csrf_of(html)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other, _, other_html, _ = open_page(app, core)  # another person's session is not slowed down
    assert check(other, other_html, STRONG)["acceptable"] is True


def test_the_password_goes_in_the_body_never_the_url(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    assert client.get(CHECK, query_string={"password": STRONG}).status_code == 405
    assert client.post(CHECK, json={"password": STRONG}).status_code == 400  # no CSRF token
    assert 'method="post"' in html


def test_the_rules_are_on_the_page_before_anything_is_typed(app: Flask, core: Core) -> None:
    _, _, html, _ = open_page(app, core)
    rules = html.split('id="rules"', 1)[1].split("</div>", 1)[0]
    for rule in ("at least 12 characters", "name, username, employee ID", "last 5 passwords", "breached"):
        assert rule in rules, rule


def test_a_refused_password_stays_typed_in_the_first_field(app: Flask, core: Core, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    client, _, html, _ = open_page(app, core)
    typed = 'Jordan <"&> violin'  # a name, and markup escaped back into the value attribute
    status, page = submit(client, html, typed, typed)
    assert status == 422 and "Please choose a different password" in page
    password = field(page, "password")
    assert 'value="Jordan &lt;&#34;&amp;&gt; violin"' in password and 'autocomplete="new-password"' in password
    assert 'value="' not in field(page, "confirmation")  # typed again, from nothing
    assert "violin" not in caplog.text


def test_a_mismatch_is_said_at_the_second_field(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    status, page = submit(client, html, STRONG, STRONG + "!")
    assert status == 422
    assert "different password" not in page and 'id="problems"' not in page  # nothing wrong with the first one
    confirmation = field(page, "confirmation")
    assert 'aria-describedby="confirmation-error"' in confirmation and 'aria-invalid="true"' in confirmation
    assert 'id="confirmation-error"' in page and "not the same" in page
    assert f'value="{STRONG}"' in field(page, "password") and "autofocus" in confirmation
    status, done = submit(client, html, STRONG, STRONG)  # typing it again is all that is left
    assert status == 200 and "has been changed" in done


def test_a_mismatch_with_a_refused_first_password_says_both(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    status, page = submit(client, html, "password1234", "password12345")
    assert status == 422 and 'id="confirmation-error"' in page and BREACHED in page


def test_the_success_page_links_to_the_portal_when_it_is_set(make_app: AppFactory) -> None:
    app, core = make_app(portal_url="https://portal.example.com/sign-in")
    client, _, html, _ = open_page(app, core)
    status, done = submit(client, html, STRONG, STRONG)
    assert status == 200 and "You have not been signed in automatically" in done
    assert '<a class="button primary" id="sign-in" href="https://portal.example.com/sign-in">Sign in</a>' in done


def test_without_a_portal_the_success_page_keeps_its_text(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    status, done = submit(client, html, STRONG, STRONG)
    assert status == 200 and "You have not been signed in automatically" in done and 'id="sign-in"' not in done


@pytest.mark.parametrize("value", ["portal.example.com", "ftp://portal.example.com"])
def test_the_portal_url_must_be_absolute(make_app: AppFactory, value: str) -> None:
    from core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="RESETDESK_PORTAL_URL"):
        load_settings(portal_url=value)
