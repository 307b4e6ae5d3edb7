"""The main journeys in German, typos included: no English reaches the person (tests/dialogs/i18n_support.py)."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import ChatFactory
from tests.dialogs.i18n_support import NEW_PASSWORD, english_in, locale_chat


@pytest.mark.parametrize("need", ["Passwort vergessen", "Ich habe mein Pasword vergesen", "passwort zurücksetzen"])
def test_reset_by_email_code(make_chat: ChatFactory, need: str) -> None:
    chat = locale_chat(make_chat, "de-DE,de;q=0.9,en;q=0.5")  # an Accept-Language header as the hint
    chat.say("Guten Morgen")
    assert chat.last.text.startswith("Hallo, ich bin ResetDesk.")
    chat.say(need)
    assert chat.last.text == "Wie lautet Ihre Personalnummer oder Ihr Benutzername?"
    chat.say("E1001")
    assert chat.last.text == "Wie möchten Sie bestätigen, dass Sie es sind?"
    chat.say("per E-Mail")
    assert chat.last.text.startswith("Ich habe einen 6-stelligen Code an e")
    chat.say("erneut senden")
    assert "Sekunden" in chat.text
    chat.say(chat.code("email"))
    assert chat.last.link is not None and chat.last.link.label == "Neues Passwort festlegen"
    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    pushed = chat.engine.reset_completed(outcome)
    assert pushed and pushed[0].text.startswith("Ihr Passwort wurde geändert.")
    assert english_in(chat.everything_shown() + [r.text for r in pushed]) == []


def test_reset_by_security_questions_with_a_wrong_answer(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "de_AT")
    chat.say("Kennwort vergessen")
    chat.say("E1001")
    chat.say("Fragen")
    assert chat.last.text.startswith("Frage 1 von 2: ")
    chat.say("falsch")
    chat.say("auch falsch")
    assert chat.text.startswith("Diese Antworten stimmen nicht mit den hinterlegten überein.")
    assert "Sie haben noch" in chat.text and "Versuche, bevor die Selbstbedienung pausiert wird." in chat.text
    chat.answer_questions_in("de")
    assert chat.last.text.startswith("Danke, Sie sind bestätigt.")
    assert english_in(chat.everything_shown()) == []


@pytest.mark.parametrize("need", ["Konto gesperrt", "mein Konto ist gesperrt", "Kontto gespert"])
def test_unlock_by_sms(make_chat: ChatFactory, need: str) -> None:
    chat = locale_chat(make_chat, "de")
    account = chat.core.directory.find("E1001")
    assert account is not None
    chat.core.directory.set_locked(account.id, True)
    chat.say(need)
    chat.say("E1001")
    chat.say("SMS")
    assert "an das Telefon mit der Endung" in chat.last.text
    chat.say(chat.code("sms"))
    assert "Ihr Konto ist entsperrt." in chat.text
    account = chat.core.directory.find("E1001")
    assert account is not None and not account.locked
    assert english_in(chat.everything_shown()) == []


@pytest.mark.parametrize("ask", ["Mitarbeiter", "mit einem Menschen sprechen", "ich möchte mit jemandem reden"])
def test_hand_off(make_chat: ChatFactory, ask: str) -> None:
    chat = locale_chat(make_chat, "de")
    chat.say("Passwort vergessen")
    chat.say("E1001")
    chat.say(ask)
    assert chat.last.text.startswith("Ich habe Sie an den IT-Support weitergeleitet: Ticket RD-")
    chat.say("Hilfe")
    assert chat.last.text.startswith("Jemand vom IT-Support antwortet Ihnen hier.")
    assert english_in(chat.everything_shown()) == []


def test_none_of_the_methods_hands_off(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "de")
    chat.say("Passwort vergessen")
    chat.say("E1001")
    chat.say("keiner davon")
    assert chat.last.text.startswith("In Ordnung, keiner dieser Wege geht für Sie. Ich habe Sie an den IT-Support")
    assert english_in(chat.everything_shown()) == []


def test_commands_in_german(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "de")
    chat.say("Hilfe")
    assert chat.last.text.startswith('Sagen Sie mir, was Sie brauchen: "Passwort zurücksetzen"')
    chat.say("Passwort vergessen")
    chat.say("abbrechen")
    assert chat.last.text.startswith("In Ordnung, ich habe abgebrochen.")
    chat.say("blablabla")
    chat.say("neu anfangen")
    assert chat.text.startswith("Fangen wir neu an.")
    assert english_in(chat.everything_shown()) == []


def test_a_switch_to_english_sticks(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, "de")
    chat.say("Passwort vergessen")
    chat.say("english")
    assert chat.last.text.startswith("OK, I'll continue in English. Type your employee ID")
    chat.say("E1001")
    assert chat.last.text == "How would you like to confirm it's you?"
    chat.say("Sprache")
    assert chat.last.text == "Which language would you like?"
    chat.say("Deutsch")
    assert chat.last.text.startswith("In Ordnung, ich mache auf Deutsch weiter.")
