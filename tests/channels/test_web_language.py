"""The web's language (issue 18, "Choosing the language"): the widget's or page's `lang` hint beats
Accept-Language, both are limited to RESETDESK_LANGUAGES, anything else falls back to
RESETDESK_DEFAULT_LANGUAGE; the chat API hands the hint to the engine, and the person's own switch sticks."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from channels.web.reset_page import meter
from core.i18n import translator, use_language
from core.secrets.password_policy import PolicyResult
from dialogs.prompts import TEXT
from tests.conftest import AppFactory


def html_lang(client: FlaskClient, path: str, accept: str | None = None) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get(path, headers=headers).get_data(as_text=True)
    match = re.search(r'<html lang="([^"]*)">', page)
    assert match is not None, page[:200]
    return match.group(1)


def greeting_in(lang: str) -> str:
    return translator(lang).gettext(TEXT.msgid("greeting"))


def test_the_widgets_lang_beats_accept_language(client: FlaskClient) -> None:
    assert html_lang(client, "/chat?embed=1&lang=es", "de-DE,de;q=0.9") == "es"
    page = client.get("/chat?lang=es", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ayuda con la contraseña del portal del empleado" in page and "Password help for" not in page


def test_accept_language_is_taken_in_quality_order_with_regions_falling_back(client: FlaskClient) -> None:
    assert html_lang(client, "/chat", "fr;q=1, de-CH;q=0.9, es;q=0.5") == "de"
    assert html_lang(client, "/chat", "es-MX") == "es"
    assert html_lang(client, "/chat?lang=xx", "es") == "es"  # an unusable hint: Accept-Language decides


def test_an_unsupported_language_falls_back_to_the_default(make_app: AppFactory) -> None:
    app, _ = make_app(default_language="de")
    client = app.test_client()
    assert html_lang(client, "/chat?lang=fr", "fr-FR,it;q=0.8") == "de"
    assert html_lang(client, "/chat") == "de"


def test_only_the_configured_languages_are_offered(make_app: AppFactory) -> None:
    app, _ = make_app(languages="en,de", default_language="en")
    client = app.test_client()
    assert html_lang(client, "/chat?lang=es", "es") == "en"
    assert html_lang(client, "/chat", "es, de;q=0.5") == "de"


def start(client: FlaskClient, body: dict[str, Any], accept: str | None = None) -> list[dict[str, Any]]:
    headers = {"Accept-Language": accept} if accept else {}
    response = client.post("/api/chat/sessions", json=body, headers=headers)
    assert response.status_code == 201
    return list(response.get_json()["messages"])


def test_the_chat_api_hands_the_hint_to_the_engine(app: Flask) -> None:
    assert start(app.test_client(), {"lang": "es"}, "de")[0]["text"].startswith(greeting_in("es"))
    assert start(app.test_client(), {}, "de-AT")[0]["text"].startswith(greeting_in("de"))
    assert start(app.test_client(), {"lang": "fr"})[0]["text"].startswith(greeting_in("en"))


def test_the_persons_switch_sticks_over_the_pages_hint(app: Flask) -> None:
    client = app.test_client()
    start(client, {"lang": "es"})
    client.post("/api/chat/messages", json={"text": "Deutsch", "lang": "es"})
    later = client.post("/api/chat/messages", json={"text": "Passwort vergessen", "lang": "es"}).get_json()
    spanish = {translator("es").gettext(msgid) for msgid in map(TEXT.msgid, TEXT) if msgid}
    german = {translator("de").gettext(msgid) for msgid in map(TEXT.msgid, TEXT) if msgid}
    texts = [m["text"] for m in later["messages"]]
    assert texts and all(text in german and text not in spanish for text in texts), texts


def test_the_widget_carries_each_offered_languages_words(client: FlaskClient) -> None:
    source = client.get("/widget.js").get_data(as_text=True)
    assert "RESETDESK_WIDGET_STRINGS" not in source  # the words were written in
    assert "Abrir el chat de ayuda con la contrase\\u00f1a" in source and "Chat zur Passworthilfe" in source


def test_the_reset_meter_speaks_the_pages_language() -> None:
    with use_language("es"):
        assert meter(PolicyResult(ok=False, score=0))["label"] == "No se acepta"
        assert meter(PolicyResult(ok=True, score=4))["label"] == "Válida: muy robusta"
    with use_language("de"):
        assert meter(PolicyResult(ok=True, score=2))["label"] == "Gültig: mittel"


def test_the_demo_and_enrollment_pages_follow_the_browser(client: FlaskClient) -> None:
    es = {"Accept-Language": "es"}
    assert "Portal del empleado (demo)" in client.get("/demo/login", headers=es).get_data(as_text=True)
    sign_in = client.get("/enroll/sign-in", headers=es).get_data(as_text=True)
    assert '<html lang="es">' in sign_in and "Tus métodos de recuperación" in sign_in


def test_the_agent_console_speaks_the_agents_language(client: FlaskClient) -> None:
    assert html_lang(client, "/agent/login", "es") == "es"  # more in tests/channels/test_console_language.py


def test_an_error_a_person_may_meet_is_in_their_language(app: Flask) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    expired_form = client.post("/enroll/sign-in", data={"identifier": "E1001", "password": "x"})  # no CSRF token
    assert expired_form.status_code == 400
    assert expired_form.get_json()["message"] == (
        "Este formulario ha caducado. Vuelve a cargar la página e inténtalo de nuevo."
    )
