# ruff: noqa: F811  (the smtp_server fixture is imported, then used as an argument)
"""Codes and change notices are worded in the person's language: the code in the chat turn's (use_language),
the change notice in the language the recovery kept (the reset page runs outside any turn), and both arrive
intact over real SMTP (aiosmtpd), non-ASCII subject included."""

from __future__ import annotations

from sqlalchemy import select

from app import Core
from core.delivery.alerts import EmailTicketAlert
from core.delivery.breaker import CircuitBreaker
from core.delivery.email import SmtpEmailSender
from core.delivery.notify import Notifier, code_email, code_sms
from core.delivery.ports import EmailMessage
from core.directory.port import Account
from core.i18n import use_language
from core.storage.models import Recovery
from core.types import HandoffReason, Requester, Ticket
from tests.core.conftest import add_employee
from tests.fakes.smtp_server import FakeSmtpServer, smtp_server  # noqa: F401 (fixture)
from tests.support.clock import FakeClock
from tests.support.enrollment import code_sent_to, messages_to

ACCOUNT = Account(1, "E1001", "e1001user", "Jordan Example", "e1001@example.com", "+15555550101", False)


class _Sms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> None:
        self.sent.append((to, body))


def _breaker(clock: FakeClock, name: str) -> CircuitBreaker:
    return CircuitBreaker(name, failure_threshold=3, cooldown_seconds=30, clock=clock)


def test_a_code_is_worded_in_the_turns_language_with_plural_minutes() -> None:
    with use_language("es"):
        subject, body = code_email("123456", 10)
        sms = code_sms("123456", 10)
    assert subject == "Tu código de verificación de ResetDesk"
    assert body.startswith("Tu código de verificación de ResetDesk es 123456") and "caduca en 10 minutos" in body
    assert sms == "Código de ResetDesk: 123456. Caduca en 10 min. Si no lo pediste, ignora este mensaje."
    with use_language("de"):
        assert "läuft in 1 Minute ab" in code_email("123456", 1)[1]
    assert "expires in 10 minutes" in code_email("123456", 10)[1]  # outside any turn: English


def test_a_german_code_and_change_notice_arrive_over_real_smtp(smtp_server: FakeSmtpServer, clock: FakeClock) -> None:
    sender = SmtpEmailSender(smtp_server.host, smtp_server.port, starttls=False, sender="ResetDesk <r@example.com>")
    with use_language("de"):
        subject, body = code_email("424242", 10)
    sender.send(EmailMessage("e1001@example.com", subject, body))
    sms = _Sms()
    notifier = Notifier(
        email=sender, sms=sms, email_breaker=_breaker(clock, "email"), sms_breaker=_breaker(clock, "sms")
    )
    # The recovery's language wins over the (English) context the reset page runs in.
    assert notifier.account_changed(ACCOUNT, "password_reset", "de") == {"email": "sent", "sms": "sent"}

    code_mail, notice = smtp_server.wait_for(2)
    assert code_mail["Subject"] == "Ihr ResetDesk-Bestätigungscode"
    assert "Ihr ResetDesk-Bestätigungscode lautet 424242" in code_mail.get_content()
    assert notice["Subject"] == "Ihr Konto wurde geändert"
    assert "Das Passwort Ihres Kontos im Mitarbeiterportal wurde soeben" in notice.get_content()
    assert "IT-Support" in notice.get_content()
    assert sms.sent[0][1] == (
        "ResetDesk: Das Passwort Ihres Kontos im Mitarbeiterportal wurde soeben über ResetDesk geändert. "
        "Wenn Sie das nicht waren, wenden Sie sich sofort an den IT-Support."
    )


def test_a_notice_without_a_kept_language_uses_the_default_language(clock: FakeClock) -> None:
    sms = _Sms()
    notifier = Notifier(
        email=_Sms(),  # type: ignore[arg-type]
        sms=sms,
        email_breaker=_breaker(clock, "email"),
        sms_breaker=_breaker(clock, "sms"),
        default_language="es",
    )
    notifier.account_changed(Account(1, "E1", None, "J", None, "+15555550101", False), "unlocked", None)
    assert sms.sent == [
        (
            "+15555550101",
            "ResetDesk: Se acaba de desbloquear tu cuenta del portal del empleado a través de ResetDesk. "
            "Si no has sido tú, contacta de inmediato con el soporte de TI.",
        )
    ]


def test_a_recovery_keeps_the_language_it_was_started_in(core: Core) -> None:
    add_employee(core)
    with use_language("es"):
        handle = core.recovery.start("E1001", Requester("web", "w1"))
    with core.database.transaction() as session:
        assert session.scalars(select(Recovery.lang).where(Recovery.id == handle)).one() == "es"


def test_a_recovery_begun_outside_a_chat_turn_keeps_the_default_language(make_core) -> None:  # type: ignore[no-untyped-def]
    """No turn speaks (a command, an agent's action): the recovery records RESETDESK_DEFAULT_LANGUAGE, so the
    notices sent later are in it, and an unlock outside a turn keeps what was recorded rather than English."""
    core = make_core(default_language="de")
    add_employee(core)
    handle = core.recovery.start("E1001", Requester("web", "w1"))
    with core.database.transaction() as session:
        assert session.scalars(select(Recovery.lang).where(Recovery.id == handle)).one() == "de"
    with use_language("es"):
        spanish = core.recovery.start("E1001", Requester("web", "w2"))
    with core.database.transaction() as session:
        session.get(Recovery, spanish).verified_steps = ["sms"]  # verified, as a chat would have left it
    core.recovery.unlock(spanish)
    with core.database.transaction() as session:
        assert session.get(Recovery, spanish).lang == "es"


def test_enrollment_code_and_change_notice_in_the_pages_language(core: Core) -> None:
    account_id = add_employee(core, phone=None, answers={})
    core.clock.advance(seconds=61)  # type: ignore[attr-defined]
    with use_language("de"):  # the enrollment page's request language
        core.enrollment.start_contact(account_id, "sms", "+447700900111", Requester("web", "enroll-visitor"))
    [code_sms_text] = messages_to(core, "+447700900111")
    assert "ResetDesk-Code: " in code_sms_text and "Läuft in 10 Min. ab" in code_sms_text
    with use_language("es"):
        code = code_sent_to(core, "+447700900111")
        assert core.enrollment.confirm_contact(account_id, "sms", code).status == "ok"
    [notice] = [m for m in messages_to(core, "e1001@example.com") if "recuperación" in m]
    assert "Se ha añadido un móvil a tu cuenta para recuperar la contraseña: ***0111" in notice
    assert "soporte de TI" in notice and "If it" not in notice


def test_nudges_speak_the_default_language(make_core) -> None:  # type: ignore[no-untyped-def]
    core = make_core(default_language="de")
    add_employee(core, phone=None, answers={})
    assert core.enrollment.nudge().messages == 1
    [nudge] = messages_to(core, "e1001@example.com")
    assert "nur eine Möglichkeit zur Bestätigung" in nudge and "/enroll" in nudge


def test_a_ticket_alert_speaks_supports_language_inside_a_spanish_chat_turn(clock: FakeClock) -> None:
    inbox = _Inbox()
    alert = EmailTicketAlert(
        inbox, _breaker(clock, "email"), to="it@example.com", console_url="https://rd/agent", language="de"
    )
    with use_language("es"):  # the person's hand-off turn
        alert(Ticket("T-7", HandoffReason.ASKED, 1), Requester("slack", "U1"))
    [message] = inbox.sent
    assert message.subject == "ResetDesk: Ticket T-7"
    assert message.body.startswith("Ticket T-7 wartet (hat nach einem Menschen gefragt, über slack).")
    assert "In der Konsole übernehmen: https://rd/agent/tickets/T-7" in message.body


class _Inbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
