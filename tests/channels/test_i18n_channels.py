# ruff: noqa: F811  (fixtures are imported from tests/support, then used as arguments)
"""Each chat channel's language hint, through the fake APIs speaking the real wire formats: a Slack user's
locale (users.info with include_locale=true, "es-ES") and a Telegram user's language_code ("de"). Later
messages of the recovery (the code email, the reset confirmation, the change notice) follow the chat."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from sqlalchemy import select

from app import wiring
from core.storage.models import OutboxMessage
from core.types import ResetStatus
from tests.core.conftest import add_employee, last_outbox_code
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.delivery import deliver_queued
from tests.support.slack import buttons, link_url, text_of
from tests.support.slack_app import USER, Slack, make_slack, only, slack_api  # noqa: F401 (fixtures)
from tests.support.telegram import GROUP, JORDAN, Person, TelegramApp, telegram, telegram_api  # noqa: F401 (fixtures)

NEW_PASSWORD = "plum orbit cascade 71 hinge"


def _outbox(slack: Slack) -> list[OutboxMessage]:
    deliver_queued(slack.core)
    with slack.core.database.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def test_a_spanish_slack_user_is_answered_in_spanish_through_the_reset(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    add_employee(s.core)
    s.api.add_user(USER, email="e1001@example.com", locale="es-ES")

    greeting = only(s.ws.dm(USER, "hola"))
    assert s.api.calls_to("users.info")[-1].args["include_locale"] in (True, "1", "true")
    assert ("Restablecer mi contraseña", "reset") in buttons(greeting)
    assert text_of(only(s.ws.dm(USER, "olvidé mi contraseña"))) == "¿Se trata de tu cuenta e1001user?"
    assert text_of(only(s.ws.click(USER, "yes"))) == "¿Cómo quieres confirmar que eres tú?"
    only(s.ws.click(USER, "email"))
    code_mail = _outbox(s)[-1]
    assert code_mail.subject == "Tu código de verificación de ResetDesk"
    assert "caduca en" in code_mail.body and "verification" not in code_mail.body

    url = link_url(only(s.ws.dm(USER, last_outbox_code(s.core))))
    assert url is not None
    outcome = s.core.recovery.complete_reset(urlsplit(url).path.rsplit("/", 1)[-1], NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status is ResetStatus.DONE
    wiring(s.app).engine.reset_completed(outcome)  # the reset page's confirmation, pushed to the DM
    assert text_of(only(s.ws.new_messages())).startswith("Tu contraseña se ha cambiado.")
    # The change notice is sent by the reset page, outside any chat turn: it follows the recovery's language.
    notices = [m for m in _outbox(s) if "portal del empleado" in m.body]
    assert {m.kind for m in notices} == {"email", "sms"}
    assert all("soporte de TI" in m.body and "If this" not in m.body for m in notices)


def test_without_a_slack_locale_the_default_language_speaks(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    add_employee(s.core)
    s.api.add_user(USER, email="e1001@example.com", locale="fr-FR")  # not offered: the default (en)
    assert text_of(only(s.ws.dm(USER, "I forgot my password"))) == "Is this about your account e1001user?"


def test_a_german_telegram_user_is_answered_in_german(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    add_employee(core)
    person = Person(app.test_client(), telegram_api, JORDAN, language_code="de")
    greeting = person.say("Hallo")
    assert any("Hallo, ich bin ResetDesk." in reply["text"] for reply in greeting)
    asked = person.say("Passwort vergessen")
    assert asked[-1]["text"] == "Wie lautet Ihre Personalnummer oder Ihr Benutzername?"


# -- what Slack and Telegram show around the conversation: buttons, modals, notes outside a turn ----------------


def test_a_spanish_slack_user_meets_spanish_on_the_private_entry_and_the_chosen_line(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    add_employee(s.core)
    s.api.add_user(USER, email="e1001@example.com", locale="es-ES")
    only(s.ws.dm(USER, "olvidé mi contraseña"))
    only(s.ws.click(USER, "yes"))
    pressed = s.api.messages[(s.dm, s.api.calls_to("chat.update")[-1].args["ts"])]
    assert pressed["blocks"][-1]["elements"][0]["text"] == "Elegiste: *Sí*"
    prompt = only(s.ws.click(USER, "email"))
    private = [e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in private if e["action_id"] == "resetdesk_private_code"] == [
        "Escribir el código en privado"
    ]

    click = s.ws.click_body(USER, action_id="resetdesk_private_code")
    assert s.ws.post(click, content_type="application/x-www-form-urlencoded").status_code == 200
    view = s.api.calls_to("views.open", ok=True)[-1].args["view"]
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    words = [field["label"]["text"], field["element"]["placeholder"]["text"], view["submit"]["text"]]
    assert [*words, view["close"]["text"]] == ["Código", "El código que te enviamos", "Enviar", "Cancelar"]
    blank = s.ws.submit(list(s.api.modals.opened)[-1], "  ")
    assert blank.get_json()["errors"] == {"resetdesk_private_input": "Escribe el código, por favor."}


def test_a_german_slack_mention_in_a_channel_is_answered_in_german(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    s.api.add_user(USER, email="e1001@example.com", locale="de-DE")
    s.api.add_channel("C0GENERAL1")
    ts = f"{time.time():.6f}"
    mention = {"type": "app_mention", "user": USER, "text": "<@U0RESETBOT> Passwort vergessen", "ts": ts,
               "channel": "C0GENERAL1", "event_ts": ts}  # fmt: skip
    assert s.ws.send_event(mention).status_code == 200
    invite = only(s.ws.new_messages())
    assert invite["text"].startswith("Hallo! Ich helfe bei Passwörtern und gesperrten Konten")


def test_a_spanish_telegram_user_gets_the_notes_outside_a_turn_in_spanish(
    telegram: TelegramApp, telegram_api: FakeTelegramApi
) -> None:
    app, _ = telegram()
    client = app.test_client()
    in_group = Person(client, telegram_api, JORDAN, chat_id=GROUP, language_code="es")
    [note] = in_group.say("olvidé mi contraseña")
    assert note["text"] == "Escríbeme en privado: solo puedo ayudarte en un chat directo."
    assert note["reply_markup"]["inline_keyboard"][0][0]["text"] == "Escríbeme"
    alone = Person(client, telegram_api, JORDAN, language_code="es")
    [text_only] = alone.say(None, location={"latitude": 40.4, "longitude": -3.7})
    assert text_only["text"] == "Solo puedo leer mensajes de texto. Escribe tu respuesta, por favor."
