"""Every change notifies the contacts on file BEFORE it, writes an audit row without secrets; removing never
leaves a person with nothing; reconfirmation ages."""

from __future__ import annotations

from sqlalchemy import select

from core.storage.models import AuditEvent
from core.types import CheckStatus, Method, Requester, ResetStatus
from tests.core.conftest import ANSWERS, OLD_PASSWORD, add_employee, last_outbox_code
from tests.core.test_recovery_reset import token_of
from tests.support import FakeClock
from tests.support.enrollment import code_sent_to, messages_to
from tests.support.secret_scan import Secrets, find_secrets, stored_places

WEB = Requester("web", "enroll-visitor")
DIRECTORY_EMAIL = "e1001@example.com"
PHONE_A, PHONE_B = "+447700900111", "+447700900222"
QUESTIONS = {"first_pet": "Biscuit", "birth_city": "Valparaiso", "first_car": "Fiat Panda"}


def add_phone(core, account_id: int, phone: str) -> str:  # type: ignore[no-untyped-def]
    core.clock.advance(seconds=61)
    core.enrollment.start_contact(account_id, "sms", phone, WEB)
    code = code_sent_to(core, phone)
    assert core.enrollment.confirm_contact(account_id, "sms", code).status == "ok"
    return code


def notices(core, recipient: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The change notices `recipient` got (codes and nudges left out)."""
    return [m for m in messages_to(core, recipient) if "wasn't you" in m or "Not you?" in m]


def test_adding_a_phone_notifies_the_old_contacts_not_the_new_one(core) -> None:
    account_id = add_employee(core, phone=None, answers={})
    add_phone(core, account_id, PHONE_A)
    [notice] = notices(core, DIRECTORY_EMAIL)
    assert "A mobile number was added to your account for password recovery: ***0111" in notice
    assert "If it wasn't you" in notice and "contact IT support" in notice and "/chat" in notice
    assert "2026-01-05" in notice  # when
    assert notices(core, PHONE_A) == []  # it got its code, not a notice about itself


def test_replacing_a_phone_notifies_the_old_phone_and_keeps_it_until_the_new_one_is_confirmed(core) -> None:
    account_id = add_employee(core, phone=None, answers={})
    add_phone(core, account_id, PHONE_A)
    core.clock.advance(seconds=61)
    core.enrollment.start_contact(account_id, "sms", PHONE_B, WEB)
    # Pending: recovery still sends to A, never to B.
    handle = core.recovery.start("E1001", Requester("web", "someone"))
    assert core.recovery.send_code(handle, Method.SMS).sent
    assert len(messages_to(core, PHONE_B)) == 1  # the enrollment code only
    code_b = code_sent_to(core, PHONE_B)
    assert core.enrollment.confirm_contact(account_id, "sms", code_b).status == "ok"
    assert any("***0222" in m for m in notices(core, PHONE_A))
    assert [c.display for c in core.enrollment.methods(account_id).contacts if c.kind == "sms"] == [PHONE_B]


def test_setting_questions_and_removing_a_method_notify_every_contact(core) -> None:
    account_id = add_employee(core, phone=None, answers={})
    add_phone(core, account_id, PHONE_A)
    assert core.enrollment.set_questions(account_id, QUESTIONS) == ()
    for recipient in (DIRECTORY_EMAIL, PHONE_A):
        assert any("Security questions were set up" in m for m in notices(core, recipient)), recipient
    assert core.enrollment.remove_method(account_id, "sms") == ()
    assert any("mobile number was removed" in m for m in notices(core, PHONE_A))  # it was on file before
    assert any("mobile number was removed" in m for m in notices(core, DIRECTORY_EMAIL))


def test_the_last_method_and_directory_contacts_cannot_be_removed(core) -> None:
    account_id = add_employee(core, email=None, phone=None, answers={})
    add_phone(core, account_id, PHONE_A)
    assert core.enrollment.methods(account_id).count == 1
    assert core.enrollment.remove_method(account_id, "sms") == (
        "Your mobile number is your only way to verify you. Add another before removing it.",
    )
    assert core.enrollment.remove_method(account_id, "questions") == ("You have no security questions to remove.",)
    other = add_employee(core, "E1002")
    assert core.enrollment.remove_method(other, "email") == (
        "Your email address comes from the company directory; ask IT support to change it there.",
    )
    assert core.enrollment.remove_method(other, "questions") == ()
    assert core.enrollment.methods(other).questions is None


def test_reconfirmation_is_due_after_the_reenroll_period(core, clock: FakeClock) -> None:
    account_id = add_employee(core)  # answers imported by an administrator: never confirmed by the person
    assert core.enrollment.needs_reconfirm(account_id)
    core.enrollment.reconfirm(account_id)
    assert not core.enrollment.methods(account_id).needs_reconfirm
    clock.advance(days=181)
    assert core.enrollment.needs_reconfirm(account_id)
    only_directory = add_employee(core, "E1002", answers={})
    assert not core.enrollment.needs_reconfirm(only_directory)  # the company keeps directory contacts current


def test_audit_rows_for_every_change_hold_no_secret(core) -> None:
    account_id = add_employee(core, phone=None)
    core.enrollment.sign_in("E1001", OLD_PASSWORD, WEB)
    code = add_phone(core, account_id, PHONE_A)
    assert core.enrollment.set_questions(account_id, QUESTIONS) == ()
    core.enrollment.remove_method(account_id, "sms")
    with core.database.transaction() as session:
        events = session.scalars(
            select(AuditEvent.event).where(AuditEvent.event.like("enroll.%")).order_by(AuditEvent.id)
        ).all()
    assert events == ["enroll.sign_in", "enroll.contact_code_sent", "enroll.contact_confirmed",
                      "enroll.questions_set", "enroll.method_removed"]  # fmt: skip
    secrets = Secrets(codes={code}, answers=set(QUESTIONS.values()) | set(ANSWERS.values()),
                      passwords={OLD_PASSWORD})  # fmt: skip
    assert find_secrets(secrets, stored_places(core)) == []


def test_a_password_reset_notifies_a_self_enrolled_phone_too(core) -> None:
    """The "your password was changed" notice reaches every contact recovery may use, not only the directory's."""
    account_id = add_employee(core, phone=None)
    add_phone(core, account_id, PHONE_A)
    handle = core.recovery.start("E1001", WEB)
    core.recovery.send_code(handle, Method.EMAIL)
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED
    new = "quiet harbour lantern 4812 moss"
    assert core.recovery.complete_reset(token_of(core.recovery.issue_reset_link(handle).url), new, new).status is (
        ResetStatus.DONE
    )
    assert any("password of your employee portal account was just changed" in m for m in messages_to(core, PHONE_A))
