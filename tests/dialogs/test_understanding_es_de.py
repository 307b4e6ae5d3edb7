"""Understanding Spanish and German: needs, methods, yes/no and commands, with or without accents, typos too."""

from __future__ import annotations

import pytest

from bot.commands import global_command
from dialogs.languages import CHOOSE, language_request
from dialogs.understanding import find_identifier, is_greeting, is_switch_request, read_intents


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Olvidé mi contraseña", "reset"),
        ("olvide mi contrasena", "reset"),
        ("olvidé mi contrseña", "reset"),
        ("mi cuenta está bloqueada", "unlock"),
        ("mi cuenta esta bloqeada", "unlock"),
        ("Passwort vergessen", "reset"),
        ("Pasword vergesen", "reset"),
        ("Konto gesperrt", "unlock"),
        ("Kontto gespert", "unlock"),
        ("ayuda", "help"),
        ("Hilfe", "help"),
        ("por correo", "email"),
        ("SMS", "sms"),
        ("las preguntas", "questions"),
        ("per E-Mail", "email"),
        ("Fragen", "questions"),
        ("sí", "yes"),
        ("ja", "yes"),
        ("nein", "no"),
        ("otra forma", "switch"),
        ("anderer Weg", "switch"),
        ("no me llegó el código", "resend"),
        ("Code nicht erhalten", "resend"),
        ("ninguna", "none"),
        ("keiner davon", "none"),
    ],
)
def test_spanish_and_german_intents(text: str, intent: str) -> None:
    assert intent in read_intents(text)


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("cancelar", "cancel"),
        ("Abbrechen", "cancel"),
        ("empezar de nuevo", "restart"),
        ("neu anfangen", "restart"),
        ("agente", "handoff"),
        ("Mitarbeiter", "handoff"),
        ("quiero hablar con una persona", "handoff"),
        ("¿Ayuda?", "help"),
        ("Hilfe", "help"),
    ],
)
def test_commands_in_spanish_and_german(text: str, event: str) -> None:
    assert global_command(text) == event


def test_an_answer_is_not_a_command() -> None:
    assert global_command("Mi agente secreto", exact_only=True) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [("español", "es"), ("Espanol", "es"), ("Deutsch", "de"), ("deustch", "de"), ("English", "en"),
     ("inglés", "en"), ("idioma", CHOOSE), ("Sprache", CHOOSE), ("language", CHOOSE), ("¿idioma?", CHOOSE)],
)  # fmt: skip
def test_language_requests(text: str, lang: str) -> None:
    assert language_request(text) == lang


@pytest.mark.parametrize("text", ["Ich spreche Deutsch und habe mein Passwort vergessen", "E1001", "ja", "hola"])
def test_a_sentence_is_not_a_language_request(text: str) -> None:
    assert language_request(text) is None


def test_greetings_switches_and_identifiers() -> None:
    assert is_greeting("¡Hola!") and is_greeting("Guten Morgen") and is_greeting("buenos días")
    assert is_switch_request("otra forma") and is_switch_request("Anderer Weg")
    assert find_identifier("Olvidé mi contraseña, soy jsmith", loose=False) == "jsmith"
    assert find_identifier("Mein Benutzername ist jsmith", loose=False) == "jsmith"
    assert find_identifier("mi número de empleado es E1001", loose=False) == "E1001"


@pytest.mark.parametrize("username", ["alan", "ingl", "aleman1", "germ4n", "deut"])
def test_a_username_is_not_read_as_a_language_typo(username: str) -> None:
    assert language_request(username) is None  # at the ID prompt these are people, not languages


@pytest.mark.parametrize(("typed", "code"), [("deustch", "de"), ("espanol", "es"), ("englsh", "en"), ("Deutsch", "de")])
def test_language_names_with_typos_still_switch(typed: str, code: str) -> None:
    assert language_request(typed) == code
