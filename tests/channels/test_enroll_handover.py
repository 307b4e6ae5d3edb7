"""From the reset page's success screen to /enroll signed in (issue 16): the pass works once, only in the
browser that completed the reset, and only for a few minutes."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app import Core
from channels.web.enroll_handover import COOKIE
from channels.web.reset_page import FORM_PATH
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.channels.test_reset_page import STRONG, open_page
from tests.support import FakeClock


def reset_in(app: Flask, core: Core) -> FlaskClient:
    """A browser that has just set a new password through a reset link."""
    client, _, html, _ = open_page(app, core)
    form = {"csrf_token": csrf_of(html), "password": STRONG, "confirmation": STRONG}
    done = client.post(FORM_PATH, data=form)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "Set up your recovery methods" in page and 'href="/enroll"' in page
    set_cookie = " ".join(done.headers.getlist("Set-Cookie"))
    assert f"{COOKIE}=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert "Path=/enroll" in set_cookie
    return client


def grant_of(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE, path="/enroll")
    assert cookie is not None
    return cookie.value


def test_the_reset_success_screen_leads_to_enroll_signed_in_once(app: Flask, core: Core) -> None:
    client = reset_in(app, core)
    grant = grant_of(client)
    landed = client.get("/enroll")
    assert landed.status_code == 303 and landed.headers["Location"].endswith("/enroll")
    assert client.get_cookie(COOKIE, path="/enroll") is None  # the browser forgets the pass
    page = client.get("/enroll").get_data(as_text=True)
    assert "Your recovery methods" in page and "e1001@example.com" in page and "Sign out" in page
    # A copy of the pass, replayed by another browser after it was used, signs nobody in.
    other = app.test_client()
    other.set_cookie(COOKIE, grant, path="/enroll")
    assert other.get("/enroll").headers["Location"].endswith("/enroll")
    assert other.get("/enroll").headers["Location"].endswith("/enroll/sign-in")


def test_another_browser_without_the_pass_must_sign_in(app: Flask, core: Core) -> None:
    reset_in(app, core)
    elsewhere = app.test_client()
    ChatClient(elsewhere)  # even one that chatted: only the browser that reset holds the pass
    assert elsewhere.get("/enroll").headers["Location"].endswith("/enroll/sign-in")


def test_a_forged_pass_signs_nobody_in(app: Flask, core: Core) -> None:
    reset_in(app, core)
    forger = app.test_client()
    forger.set_cookie(COOKIE, "A" * 43, path="/enroll")
    forger.get("/enroll")
    assert forger.get("/enroll").headers["Location"].endswith("/enroll/sign-in")


def test_the_pass_expires_after_five_minutes(app: Flask, core: Core, clock: FakeClock) -> None:
    client = reset_in(app, core)
    clock.advance(minutes=5, seconds=1)
    client.get("/enroll")
    assert client.get("/enroll").headers["Location"].endswith("/enroll/sign-in")


def test_the_pass_just_before_it_expires_still_works(app: Flask, core: Core, clock: FakeClock) -> None:
    client = reset_in(app, core)
    clock.advance(minutes=4, seconds=50)
    client.get("/enroll")
    assert client.get("/enroll").status_code == 200


def test_enroll_goes_on_in_the_language_the_person_reset_in(make_app) -> None:  # type: ignore[no-untyped-def]
    """A chat switched to Spanish in a browser that asks for English: the reset page was Spanish (the
    recovery's language), and so is /enroll after the hand-over, on every page, until ?lang= says otherwise."""
    app, core = make_app()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    url = reset_link_via_email(core, ChatClient(client), ("español", "olvidé mi contraseña", "E1001", "por correo"))
    assert client.get(url.removeprefix(core.settings.public_url)).status_code == 303
    html = client.get(FORM_PATH).get_data(as_text=True)
    done = client.post(FORM_PATH, data={"csrf_token": csrf_of(html), "password": STRONG, "confirmation": STRONG})
    assert '<html lang="es">' in done.get_data(as_text=True)
    assert client.get("/enroll").status_code == 303  # the pass, redeemed
    methods = client.get("/enroll").get_data(as_text=True)
    assert '<html lang="es">' in methods and "Your recovery methods" not in methods
    assert '<html lang="es">' in client.get("/enroll/questions").get_data(as_text=True)
    assert '<html lang="de">' in client.get("/enroll?lang=de").get_data(as_text=True)
