"""The main journeys in Spanish, typos included: no English reaches the person (tests/dialogs/i18n_support.py)."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import ChatFactory, add_employee
from tests.dialogs.i18n_support import NEW_PASSWORD, english_in, locale_chat


@pytest.mark.parametrize("need", ["Olvidé mi contraseña", "olvide mi contrasena", "Olvidé mi contraseñaa, ayúdame"])
def test_reset_by_email_code(make_chat: ChatFactory, need: str) -> None:
    chat = locale_chat(make_chat, "es-MX")
    chat.say("hola")
    assert chat.last.text.startswith("Hola, soy ResetDesk.")
    assert chat.last.choices[0][0] == "Restablecer mi contraseña"
    chat.say(need)
    assert chat.last.text == "¿Cuál es tu número de empleado o tu nombre de usuario?"
    chat.say("E1001")
    assert chat.last.text == "¿Cómo quieres confirmar que eres tú?"
    chat.say("por coreo")  # a typo of "correo"
    assert "código de 6 cifras" in chat.last.text
    chat.say("123")
    assert chat.last.text.startswith("Eso no parece un código de 6 cifras")
    chat.say(chat.code("email"))
    assert chat.last.link is not None and chat.last.link.label == "Elegir una contraseña nueva"
    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    pushed = chat.engine.reset_completed(outcome)  # a notice later on still follows the conversation's language
    assert pushed and pushed[0].text.startswith("Tu contraseña se ha cambiado.")
    assert english_in(chat.everything_shown() + [r.text for r in pushed]) == []


def test_a_wrong_code_counts_down_in_spanish(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es")
    chat.say("necesito una contraseña nueva")
    chat.say("E1001")
    chat.say("correo")
    chat.say("000000")
    assert chat.last.text == "Ese código no es correcto. Te quedan 4 intentos más con este código."
    assert english_in(chat.everything_shown()) == []


def test_reset_by_security_questions(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es-ES")
    chat.say("se me olvidó la contraseña")
    chat.say("e1001user")
    chat.say("preguntas")
    assert chat.last.text.startswith("Pregunta 1 de 2: ¿")
    chat.answer_questions_in("es")
    assert chat.last.text.startswith("Gracias, ya hemos comprobado que eres tú.")
    assert english_in(chat.everything_shown()) == []


def test_unlock_by_sms(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es")
    chat.core.directory.set_locked(chat.core.directory.find("E1001").id, True)  # type: ignore[union-attr]
    chat.say("mi cuenta está bloqueada")
    chat.say("E1001")
    chat.say("SMS")
    assert "al teléfono que termina en" in chat.last.text
    chat.say(chat.code("sms"))
    assert "Tu cuenta está desbloqueada." in chat.text
    account = chat.core.directory.find("E1001")
    assert account is not None and not account.locked
    assert english_in(chat.everything_shown()) == []


@pytest.mark.parametrize("ask", ["hablar con una persona", "agente", "quiero hablar con un humano"])
def test_hand_off(make_chat: ChatFactory, ask: str) -> None:
    chat = locale_chat(make_chat, "es")
    chat.say("olvidé mi contraseña")
    chat.say(ask)
    assert chat.last.text.startswith("Te he pasado al soporte de TI: incidencia RD-")
    chat.say("gracias")
    assert "incidencia" in chat.last.text
    assert english_in(chat.everything_shown()) == []


def test_help_cancel_and_not_understood(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es")
    chat.say("olvidé mi contraseña")
    chat.say("ayuda")
    assert chat.last.text.startswith("Escribe tu número de empleado")
    chat.say("cancelar")
    assert chat.last.text.startswith("De acuerdo, lo dejo aquí.")
    chat.say("desbloqear")  # a typo
    assert chat.last.text == "¿Cuál es tu número de empleado o tu nombre de usuario?"
    chat.say("empezar de nuevo")
    assert chat.text.startswith("Empecemos de nuevo.")
    assert english_in(chat.everything_shown()) == []


def test_a_switch_to_german_sticks_over_the_channel_hint(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es")
    chat.say("olvidé mi contraseña")
    chat.say("E1001")
    chat.say("Deutsch")
    assert chat.last.text.startswith("In Ordnung, ich mache auf Deutsch weiter.")
    assert [label for label, _ in chat.last.choices][:2] == ["Code per SMS senden", "Code per E-Mail senden"]
    chat.say("E-Mail")
    assert chat.last.text.startswith("Ich habe einen 6-stelligen Code")
    chat.say("idioma")
    assert chat.last.text == "In welcher Sprache möchten Sie weitermachen?"
    assert [value for _, value in chat.last.choices] == ["english", "español", "deutsch"]
    chat.say("español")
    assert chat.last.text.startswith("De acuerdo, seguimos en español.")
    assert chat.conversation().slots["lang"] == "es"


def test_english_stays_the_default_and_a_switch_needs_no_hint(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, None)
    chat.say("hola")
    assert chat.last.text.startswith("Hi, I'm ResetDesk.")
    chat.say("espanol")  # no accent
    assert chat.last.text.startswith("De acuerdo, seguimos en español. Elige una de las opciones")
    assert [value for _, value in chat.last.choices] == ["reset", "unlock", "other", "agent"]
    chat.say("Restablecer mi contraseña")  # the Spanish button label, typed
    assert chat.last.text == "¿Cuál es tu número de empleado o tu nombre de usuario?"


def test_a_username_that_is_a_language_name_switches_once_then_is_taken_as_the_username(
    make_chat: ChatFactory,
) -> None:
    """Germán is a Spanish name: "german" at the ID prompt first switches (it may be a request), says so and
    that a username should be typed again; typed again, in German already, it is the username."""
    chat = locale_chat(make_chat, "es")
    add_employee(chat.core, "E2002", username="german", email="german@example.com")
    chat.say("olvidé mi contraseña")
    chat.say("german")
    assert chat.last.text.startswith("In Ordnung, ich mache auf Deutsch weiter.")
    assert chat.last.text.endswith("Wenn dieses Wort Ihr Benutzername war, geben Sie es bitte noch einmal ein.")
    assert chat.conversation().state == "identify"
    chat.say("german")
    assert chat.conversation().state == "choose_method" and chat.conversation().slots["lang"] == "de"
    chat.say("E-Mail")
    assert "g•••@example.com" in chat.last.text  # the account whose username is "german"
    chat.say("español")  # after the ID prompt, naming a language is a switch again
    assert chat.last.text.startswith("De acuerdo, seguimos en español.")


def test_a_language_name_is_an_answer_while_a_secret_is_asked(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "es")
    chat.say("olvidé mi contraseña")
    chat.say("E1001")
    chat.say("preguntas")
    chat.say("Deutsch")  # could be an answer: judged as one, never a switch
    assert "lang" in chat.conversation().slots and chat.conversation().slots["lang"] == "es"
    assert chat.last.text.startswith("Pregunta 2 de 2")


def test_a_link_kept_in_history_is_worded_in_the_language_it_was_sent_in(make_chat: ChatFactory) -> None:
    from bot.messages import without_link

    chat = locale_chat(make_chat, "es")
    chat.say("olvidé mi contraseña")
    chat.say("E1001")
    chat.say("correo")
    chat.say(chat.code("email"))
    kept = without_link(chat.last)  # as a channel's history stores it, after the turn
    assert kept.link is None
    assert kept.text.endswith('(Elegir una contraseña nueva: escribe "enlace nuevo" para recibirlo aquí)')
    assert kept.choices == (("Obtener un enlace nuevo", "new link"),)
