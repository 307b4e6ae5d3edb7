"""Every web journey in Spanish and in German in Chromium (issue 18, "Done when"): a person whose browser asks for
es or de (or whose intranet page hands the widget lang=es/de while the browser asks for English) types in their
language and completes a reset by SMS code, by email code and by challenge questions, an unlock, and a hand-off
to live support (an agent takes the ticket in the console, chats with them and sends a reset link they use),
without meeting a word of English: not on the chat page, not on the reset page, not in any email (subject and
body, from the SMTP server) or text message (the SMS outbox) they receive. Each journey takes the detours a
person does (a wrong code, "resend" too soon, wrong answers, a weak password, the spent link clicked again, a
reload, a month away), and <html lang> is es/de on every page.

"English" is checked two ways at every step: `english_in` (every msgid of the catalog template, cut at its
placeholders, so any untranslated sentence is caught) plus ENGLISH_WORDS as whole words, which also catches
English that never went through a catalog. Data may stand bare: IDs, codes, masked contacts, URLs (cut out
before the word check: a reset URL has "/reset/" in it), "ResetDesk" and the agent's name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from core.directory.sql import SqlDirectory
from core.i18n import translator
from core.secrets.questions import find_question
from core.storage.models import OutboxMessage
from core.storage.retention import purge_expired
from tests.browser.conftest import EMPLOYEE_ID, STRONG, WEAK, LiveServer, chat_script_loads
from tests.browser.console_steps import sign_in_agent, take_first_ticket
from tests.browser.test_pseudo_locale import TEXTS_JS
from tests.dialogs.i18n_support import english_in

Shot = Callable[[Page, str], Path]

# Whole words (case-insensitive, split on letters so "frühere" is not "here") that are English and never
# correct Spanish or German: none is a word of any es or de msgstr (checked when the list was made).
# Left out on purpose: "link", "ticket", "support" (German says "der Link", "das Ticket", "der IT-Support"),
# "was" (German "what"), "has" (Spanish "tú has"), "code", "chat", "SMS", "email" (the same in all three).
ENGLISH_WORDS = frozenset({
    "the", "your", "you", "please", "password", "with", "and", "reset", "unlock", "account", "verify", "sign",
    "here", "been", "not", "new", "type", "send", "again", "help", "thanks", "phone", "answer", "choose", "locked",
    "changed", "expires", "ignore", "minutes", "seconds", "question",
})  # fmt: skip
URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Speaks:
    """What a person writing in one language types, and what they should read back (fragments)."""

    lang: str
    accept_language: str
    greeting: str
    forgot: str
    locked: str
    by_sms: str
    by_email: str
    by_questions: str
    human: str
    ask_id: str
    ask_method: str
    code_sent_sms: str
    code_sent_email: str
    question_1: str
    link_label: str
    reset_page_heading: str
    reset_done_heading: str
    chat_reset_done: str
    unlocked: str
    handed_off: str
    agent_link: str
    support_closed: str
    resend: str
    help: str
    thanks: str
    dont_know: str
    agent_says: str
    person_says: str
    answers: tuple[str, str, str]  # first_pet, birth_city, first_school, typed as the person would


SPANISH = Speaks(
    lang="es",
    accept_language="es-ES,es;q=0.9",
    greeting="Hola, soy ResetDesk.",
    forgot="olvidé mi contraseña",
    locked="mi cuenta está bloqueada",
    by_sms="por SMS",
    by_email="por correo",
    by_questions="preguntas",
    human="quiero hablar con una persona",
    ask_id="¿Cuál es tu número de empleado o tu nombre de usuario?",
    ask_method="¿Cómo quieres confirmar que eres tú?",
    code_sent_sms="al teléfono que termina en",
    code_sent_email="código de 6 cifras",
    question_1="Pregunta 1 de 2",
    link_label="Elegir una contraseña nueva",
    reset_page_heading="Elige una nueva contraseña",
    reset_done_heading="Tu contraseña se ha cambiado",
    chat_reset_done="Tu contraseña se ha cambiado.",
    unlocked="Tu cuenta está desbloqueada.",
    handed_off="Te he pasado al soporte de TI: incidencia RD-",
    agent_link="El soporte de TI te ha enviado",
    support_closed="El soporte de TI ha cerrado tu incidencia.",
    resend="reenviar",
    help="ayuda",
    thanks="gracias",
    dont_know="no me acuerdo",
    agent_says="Hola, soy Sam. ¿En qué puedo ayudarte?",
    person_says="Ya no tengo el móvil de empresa y no me llegan los códigos",
    answers=("Canela", "Sevilla", "Colegio San José"),
)
GERMAN = Speaks(
    lang="de",
    accept_language="de-DE,de;q=0.9,en;q=0.5",  # English is acceptable to the browser, but German comes first
    greeting="Hallo, ich bin ResetDesk.",
    forgot="Passwort vergessen",
    locked="Konto gesperrt",
    by_sms="per SMS",
    by_email="per E-Mail",
    by_questions="Sicherheitsfragen",
    human="mit einem Menschen sprechen",
    ask_id="Wie lautet Ihre Personalnummer oder Ihr Benutzername?",
    ask_method="Wie möchten Sie bestätigen, dass Sie es sind?",
    code_sent_sms="an das Telefon mit der Endung",
    code_sent_email="Ich habe einen 6-stelligen Code an",
    question_1="Frage 1 von 2",
    link_label="Neues Passwort festlegen",
    reset_page_heading="Neues Passwort festlegen",
    reset_done_heading="Ihr Passwort wurde geändert",
    chat_reset_done="Ihr Passwort wurde geändert.",
    unlocked="Ihr Konto ist entsperrt.",
    handed_off="Ich habe Sie an den IT-Support weitergeleitet: Ticket RD-",
    agent_link="Der IT-Support hat Ihnen",
    support_closed="Der IT-Support hat Ihr Ticket geschlossen.",
    resend="erneut senden",
    help="Hilfe",
    thanks="danke",
    dont_know="weiß ich nicht mehr",
    agent_says="Guten Tag, hier ist Sam. Wie kann ich Ihnen helfen?",
    person_says="Ich habe mein Diensthandy nicht mehr und bekomme keine Codes",
    answers=("Bello", "Hamburg", "Grundschule am Stadtpark"),
)
QUESTION_IDS = ("first_pet", "birth_city", "first_school")


@pytest.fixture(params=["browser", "page"])
def via(request: pytest.FixtureRequest) -> str:
    """Where the language comes from: the browser's Accept-Language (/chat), or the host page's lang through the
    widget (/chat?embed=1&lang=xx) while the browser itself asks for English."""
    return str(request.param)


@pytest.fixture(params=[SPANISH, GERMAN], ids=lambda speaks: speaks.lang)
def speaks(request: pytest.FixtureRequest, live_server: LiveServer) -> Speaks:
    """The person's language; their answers on file are worded in it too (E1001 is on file with English ones)."""
    value: Speaks = request.param
    account = live_server.core.directory.find(EMPLOYEE_ID)
    assert account is not None
    live_server.core.answers.enrol(account.id, dict(zip(QUESTION_IDS, value.answers, strict=True)))
    return value


@pytest.fixture
def person(browser: Browser, live_server: LiveServer, speaks: Speaks, via: str) -> Iterator[BrowserContext]:
    """The person's browser: its Accept-Language (and so the pages' lang, which the chat sends as its hint)."""
    accept_language = speaks.accept_language if via == "browser" else "en-US,en;q=0.9"
    context = browser.new_context(
        locale=accept_language.split(",")[0],
        extra_http_headers={"Accept-Language": accept_language},
        viewport={"width": 1000, "height": 800},
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def console(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """The agent's browser, in English: the console is not what the person sees."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# -- what is English ---------------------------------------------------------------------------------------


def english_found(texts: list[str]) -> list[str]:
    """Catalog fragments and English-only words in `texts` (empty when there is no English)."""
    words = {word for text in texts for word in re.findall(r"[^\W\d_]+", URL.sub(" ", text))}
    return english_in(texts) + sorted(word for word in words if word.lower() in ENGLISH_WORDS)


def assert_page_has_no_english(page: Page, speaks: Speaks) -> None:
    expect(page.locator("html")).to_have_attribute("lang", speaks.lang)
    shown: list[str] = page.evaluate(TEXTS_JS)
    found = english_found(shown)
    assert not found, (page.url, found, [text for text in shown if any(f in text for f in found)])


def received(server: LiveServer) -> list[str]:
    """Every email (subject and body) and text message sent so far."""
    emails = [f"{message['Subject']}\n{message.get_content()}" for message in server.smtp.messages]
    with server.core.database.transaction() as session:
        texts = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == "sms").order_by(OutboxMessage.id)
        ).all()
    return emails + list(texts)


def assert_messages_have_no_english(server: LiveServer) -> None:
    messages = received(server)
    found = english_found(messages)
    assert not found, (found, [text for text in messages if any(f in text for f in found)])


def sms_code(server: LiveServer, count: int = 1) -> str:
    """The code in the `count`-th text message with a code (the in-process worker puts it in the outbox)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with server.core.database.transaction() as session:
            bodies = session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.kind == "sms").order_by(OutboxMessage.id)
            ).all()
        codes = [match.group(1) for body in bodies if (match := re.search(r"\b(\d{6,10})\b", body))]
        if len(codes) >= count:
            return codes[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no text message with code number {count} in the outbox")


def wait_for_messages(server: LiveServer, emails: int, texts: int) -> None:
    """Until `emails` emails reached the SMTP server and `texts` text messages the outbox."""
    server.smtp.wait_for(emails)
    deadline = time.monotonic() + 10
    while True:
        with server.core.database.transaction() as session:
            sent = len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == "sms")).all())
        if sent >= texts:
            return
        assert time.monotonic() < deadline, f"expected {texts} text messages, got {sent}"
        time.sleep(0.1)


# -- walking the chat and the reset page -------------------------------------------------------------------


class Walk:
    """One person's chat, checked for English after every step."""

    def __init__(self, server: LiveServer, context: BrowserContext, speaks: Speaks, via: str) -> None:
        self.server, self.context, self.speaks = server, context, speaks
        self.path = "/chat" if via == "browser" else f"/chat?embed=1&lang={speaks.lang}"
        self.chat = context.new_page()

    def check(self) -> None:
        assert_page_has_no_english(self.chat, self.speaks)
        assert_messages_have_no_english(self.server)

    def bot_says(self, text: str) -> None:
        expect(self.chat.locator("#rd-log .rd-msg-bot").filter(has_text=text).last).to_be_visible()
        self.check()

    def open(self) -> None:
        with chat_script_loads(self.chat):
            self.chat.goto(self.server.url + self.path)
        self.bot_says(self.speaks.greeting)
        expect(self.chat.locator("#rd-input")).to_be_enabled()

    def type(self, text: str) -> None:
        field = self.chat.locator("#rd-input")
        field.fill(text)
        field.press("Enter")

    def detour(self, text: str) -> None:
        """Type something that is not the next step (a wrong code, a request): the bot answers, in the language."""
        before = self.chat.locator("#rd-log .rd-msg-bot").count()
        self.type(text)
        expect(self.chat.locator("#rd-log .rd-msg-bot").nth(before)).to_be_visible()
        self.check()

    def reload(self) -> None:
        """The conversation redrawn from history (a link becomes the way to ask for a new one)."""
        self.chat.reload()  # chat.js may come from the cache (304) now
        self.bot_says(self.speaks.greeting)

    def session_purged(self) -> None:
        """A month passes and the daily purge removes the conversation: the tab's session no longer exists."""
        self.server.clock.advance(days=self.server.core.settings.retention_days + 1)
        purge_expired(self.server.core.settings, self.server.core.database, self.server.clock)

    def to_methods(self, need: str) -> None:
        self.open()
        self.type(need)
        self.bot_says(self.speaks.ask_id)
        self.type(EMPLOYEE_ID)
        self.bot_says(self.speaks.ask_method)

    def answer_questions(self) -> None:
        """A wrong round first (both answered "I don't remember"), with the answer shown once; then the right one."""
        self.chat.locator("#rd-toggle").click()  # "show answer": its label, pressed
        expect(self.chat.locator("#rd-toggle")).to_have_attribute("aria-pressed", "true")
        self.check()
        for _ in (1, 2):
            self.detour(self.speaks.dont_know)
        gettext = translator(self.speaks.lang).gettext
        for number in (1, 2):
            asked = self.chat.locator("#rd-log .rd-msg-bot").last
            expect(asked).to_contain_text(self.speaks.question_1.replace("1", str(number), 1))
            self.check()
            text = asked.inner_text()
            answer = [a for qid, a in zip(QUESTION_IDS, self.speaks.answers, strict=True) if gettext(_q(qid)) in text]
            assert len(answer) == 1, text
            self.type(answer[0])

    def use_the_link(self, shot: Shot) -> Page:
        """Open the link in the chat, set a strong password on the reset page; the chat confirms it."""
        link = self.chat.locator("#rd-log a.rd-link-button").last
        expect(link).to_contain_text(self.speaks.link_label)
        self.check()
        with self.context.expect_page() as opened:
            link.click()
        reset = opened.value
        reset.wait_for_load_state()
        expect(reset.get_by_role("heading", name=self.speaks.reset_page_heading)).to_be_visible()
        assert_page_has_no_english(reset, self.speaks)
        reset.locator("#password").press_sequentially(WEAK)  # refused: the live list says why
        expect(reset.locator("#live-problems li").first).to_be_visible()
        reset.locator("#toggle-password").click()
        assert_page_has_no_english(reset, self.speaks)
        reset.locator("#confirmation").fill(WEAK)
        reset.locator("#submit").click()
        expect(reset.locator("#problems")).to_be_visible()
        assert_page_has_no_english(reset, self.speaks)
        reset.locator("#password").fill(STRONG)
        reset.locator("#confirmation").fill(STRONG + " x")  # not the same
        reset.locator("#submit").click()
        expect(reset.locator("#confirmation-error")).to_be_visible()
        assert_page_has_no_english(reset, self.speaks)
        reset.locator("#password").fill(STRONG)
        reset.locator("#confirmation").fill(STRONG)
        reset.locator("#submit").click()
        expect(reset.get_by_role("heading", name=self.speaks.reset_done_heading)).to_be_visible()
        assert_page_has_no_english(reset, self.speaks)
        shot(reset, "reset-page-done")
        self.chat.bring_to_front()
        self.bot_says(self.speaks.chat_reset_done)
        assert_password_is_new(self.server)
        with self.context.expect_page() as again:  # the spent link, clicked again, says so in the language
            link.click()
        spent = again.value
        spent.wait_for_load_state()
        expect(spent.locator("main h1")).to_be_visible()
        assert_page_has_no_english(spent, self.speaks)
        spent.close()
        return reset


def _q(question_id: str) -> str:
    question = find_question(question_id)
    assert question is not None
    return question.text


def assert_password_is_new(server: LiveServer) -> None:
    account = server.core.directory.find(EMPLOYEE_ID)
    assert account is not None and server.core.directory.verify_password(account.id, STRONG)


# -- the journeys ------------------------------------------------------------------------------------------


def test_reset_by_sms_code(
    live_server: LiveServer, person: BrowserContext, speaks: Speaks, via: str, shot: Shot
) -> None:
    walk = Walk(live_server, person, speaks, via)
    walk.to_methods(speaks.forgot)
    walk.type(speaks.by_sms)
    walk.bot_says(speaks.code_sent_sms)
    walk.detour("000000")  # a wrong code: tries left
    walk.detour(speaks.resend)  # too soon: the wait, and its countdown
    walk.type(sms_code(live_server))
    walk.use_the_link(shot)
    wait_for_messages(live_server, emails=1, texts=2)  # the code, then the notice by email and by SMS
    walk.check()
    shot(walk.chat, "chat-done")


def test_reset_by_email_code(
    live_server: LiveServer, person: BrowserContext, speaks: Speaks, via: str, shot: Shot
) -> None:
    walk = Walk(live_server, person, speaks, via)
    walk.to_methods(speaks.forgot)
    walk.type(speaks.by_email)
    walk.bot_says(speaks.code_sent_email)
    walk.detour("123")  # not a code
    walk.detour(speaks.help)  # help at the code prompt
    walk.type(live_server.code_from_email())
    walk.use_the_link(shot)
    wait_for_messages(live_server, emails=2, texts=1)
    walk.check()
    shot(walk.chat, "chat-done")


def test_reset_by_challenge_questions(
    live_server: LiveServer, person: BrowserContext, speaks: Speaks, via: str, shot: Shot
) -> None:
    walk = Walk(live_server, person, speaks, via)
    walk.to_methods(speaks.forgot)
    walk.type(speaks.by_questions)
    walk.answer_questions()
    walk.use_the_link(shot)
    wait_for_messages(live_server, emails=1, texts=1)  # only the notice: no code was sent
    walk.check()
    shot(walk.chat, "chat-done")


def test_unlock(live_server: LiveServer, person: BrowserContext, speaks: Speaks, via: str, shot: Shot) -> None:
    directory = live_server.core.directory
    assert isinstance(directory, SqlDirectory)
    account = directory.find(EMPLOYEE_ID)
    assert account is not None
    directory.set_locked(account.id, True)
    walk = Walk(live_server, person, speaks, via)
    walk.to_methods(speaks.locked)
    walk.type(speaks.by_sms)
    walk.bot_says(speaks.code_sent_sms)
    walk.type(sms_code(live_server))
    walk.bot_says(speaks.unlocked)
    account = directory.find(EMPLOYEE_ID)
    assert account is not None and not account.locked
    wait_for_messages(live_server, emails=1, texts=2)
    walk.reload()
    walk.bot_says(speaks.unlocked)
    shot(walk.chat, "chat-done")
    walk.session_purged()  # back at the same tab a month later: a new conversation, and a notice saying so
    walk.reload()
    expect(walk.chat.locator("#rd-log .rd-msg-notice")).to_be_visible()
    walk.check()


def test_hand_off_to_live_support(
    live_server: LiveServer, person: BrowserContext, speaks: Speaks, via: str, console: Page, shot: Shot
) -> None:
    walk = Walk(live_server, person, speaks, via)
    walk.to_methods(speaks.forgot)
    walk.type(speaks.human)
    walk.bot_says(speaks.handed_off)

    sign_in_agent(console, live_server)
    take_first_ticket(console)
    console.get_by_label("Message to the person").fill(speaks.agent_says)
    console.get_by_role("button", name="Send", exact=True).click()
    expect(walk.chat.locator("#rd-log .rd-msg-agent").last).to_contain_text(speaks.agent_says)
    walk.check()

    walk.type(speaks.person_says)
    expect(console.locator("#live")).to_contain_text(speaks.person_says)
    walk.check()

    console.get_by_label("Send a reset link to their chat — reason").fill("Verified by a video call")
    console.get_by_role("button", name="Send reset link").click()
    expect(console.locator("#flash")).to_contain_text("Reset link sent")
    walk.bot_says(speaks.agent_link)
    walk.use_the_link(shot)
    wait_for_messages(live_server, emails=1, texts=1)
    expect(console.locator("#reset-state")).to_contain_text("Completed")

    console.get_by_label("Finish").select_option("resolved")
    console.get_by_role("button", name="Finish").click()
    walk.bot_says(speaks.support_closed)
    walk.reload()
    walk.bot_says(speaks.support_closed)
    shot(walk.chat, "chat-done")
    walk.session_purged()  # a message typed into the tab a month later starts a new conversation, with a notice
    walk.type(speaks.thanks)
    expect(walk.chat.locator("#rd-log .rd-msg-notice")).to_be_visible()
    walk.bot_says(speaks.greeting)
