"""The agent console speaks the agent's language (issue 18): Accept-Language picks it, `<html lang>` says it, no
English reaches the sign-in, queue, ticket and reports pages; the person's transcript stays as they saw it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Core
from core.support.access import grant_admin
from tests.channels.conftest import ChatClient
from tests.core.conftest import add_employee
from tests.dialogs.i18n_support import english_in
from tests.support import FakeClock
from tests.support.agents import add_agent, code_step, csrf_of, password_step, totp_code
from tests.support.report_rows import one_reset, seed_audit

# (the agent's language, the person's): each console is read while the person spoke the other language.
PAIRS = [("de", "es"), ("es", "de")]
HAND_OFF = {"es": ("olvidé mi contraseña", "agente"), "de": ("Passwort vergessen", "Mitarbeiter")}


class _Visible(HTMLParser):
    """What a reader meets: text outside script/style, and the labels assistive technology reads out."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.shown += [value for name, value in attrs if name in ("aria-label", "title", "alt") and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.shown.append(data.strip())


def visible(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.shown


def check_page(html: str, lang: str) -> None:
    """`<html lang>` is the agent's language and no English message (from the catalog template) is shown."""
    assert f'<html lang="{lang}">' in html, html[:200]
    assert english_in(visible(html)) == [], [s for s in visible(html) if english_in([s])]


def person_hands_off(app: Flask, core: Core, lang: str) -> tuple[list[str], str]:
    """A person chatting in `lang` asks for a human: the bot's replies as they saw them, and the ticket."""
    add_employee(core)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    chat = ChatClient(client)
    forgot, human = HAND_OFF[lang]
    replies = [*chat.say(forgot), *chat.say("E1001"), *chat.say(human)]
    reference = re.search(r"RD-[0-9A-Z]{6}", replies[-1]["text"])
    assert reference is not None, replies
    return [reply["text"] for reply in replies], reference.group(0)


def agent_signs_in(app: Flask, core: Core, lang: str) -> tuple[FlaskClient, str]:
    """An admin agent whose browser asks for `lang`, signed in through both steps (each page checked)."""
    agent, secret = add_agent(core)
    assert secret is not None and grant_admin(core.database, core.clock, agent.username)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = f"{lang}-{lang.upper()},{lang};q=0.9,en;q=0.5"
    check_page(client.get("/agent/login").get_data(as_text=True), lang)
    wrong = password_step(client, password="not the password")
    assert wrong.status_code == 401
    check_page(wrong.get_data(as_text=True), lang)  # the error too
    assert password_step(client).status_code == 302
    check_page(client.get("/agent/login/code").get_data(as_text=True), lang)
    assert code_step(client, totp_code(core, secret)).status_code == 302
    return client, csrf_of(client.get("/agent").get_data(as_text=True))


@pytest.mark.parametrize(("lang", "persons"), PAIRS)
def test_the_console_is_in_the_agents_language(
    app: Flask, core: Core, clock: FakeClock, lang: str, persons: str
) -> None:
    _, reference = person_hands_off(app, core, persons)
    one_reset(core, clock)
    seed_audit(core)  # repeat recoveries: the people list names one person in words
    agent, csrf = agent_signs_in(app, core, lang)

    check_page(agent.get("/agent").get_data(as_text=True), lang)
    queue = agent.get("/agent/api/queue").get_json()["tickets"]
    assert english_in([t["reason_text"] for t in queue]) == [], queue  # the live refresh speaks it too

    messages = f"/agent/api/tickets/{reference}/messages"
    early = agent.post(messages, json={"text": "Hola"}, headers={"X-CSRF-Token": csrf})
    assert early.status_code == 409  # not taken yet: core's refusal, in the agent's words
    assert early.get_json()["message"] == {
        "de": "Übernehmen Sie zuerst das Ticket; es gehört vielleicht einem anderen Mitarbeiter.",
        "es": "Primero toma el ticket; puede que sea de otro agente.",
    }[lang]
    assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    sent = agent.post(f"/agent/tickets/{reference}/send-link", data={"csrf_token": csrf, "reason": "checked badge"})
    assert sent.status_code == 302
    ticket = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    check_page(ticket, lang)  # actions, flash and the live chat's system lines (who joined, the link sent)
    assert 'id="flash"' in ticket
    words = json.loads(re.search(r'id="agent-strings">(.*?)</script>', ticket, re.S).group(1))  # type: ignore[union-attr]
    assert english_in(list(words.values())) == []  # agent.js's words
    live = agent.get(f"/agent/api/tickets/{reference}/messages").get_json()
    assert english_in([live["reset"]]) == []
    system = [m["text"] for m in live["messages"] if m["sender"] == "system"]
    assert len(system) == 2 and english_in(system) == [], system  # joined, link sent: in the agent's words
    assert all("Sam" in text for text in system), system  # the name stays as it is

    for path in ("/agent/reports", "/agent/reports?days=7", "/agent/reports/people?days=30"):
        page = agent.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        check_page(html, lang)
        if "people" in path:
            assert {"de": "Kennungen ohne passendes Konto", "es": "identificadores que no corresponden"}[lang] in html
        block = re.search(r'id="report-data">(.*?)</script>', html, re.S)
        if block is not None:  # the charts' titles and labels
            charts = json.loads(block.group(1))
            assert english_in([s for c in charts.values() for s in (c["title"], *c["labels"])]) == [], charts


@pytest.mark.parametrize(("lang", "persons"), PAIRS)
def test_the_transcript_stays_as_the_person_saw_it(app: Flask, core: Core, lang: str, persons: str) -> None:
    bot_said, reference = person_hands_off(app, core, persons)
    agent, _ = agent_signs_in(app, core, lang)
    ticket = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    transcript = re.search(r'<ol class="transcript".*?</ol>', ticket, re.S)
    assert transcript is not None
    shown = " ".join(visible(transcript.group(0)))
    unseen = [text for text in bot_said[:-1] if " ".join(text.split()) not in " ".join(shown.split())]
    assert unseen == [], (
        shown
    )  # every reply before the hand-off, word for word in the person's language, not the agent's
