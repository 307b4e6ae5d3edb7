"""Adding a mobile number or email: it counts only after its code is typed; a pending one is never used."""

from __future__ import annotations

import contextlib

from core.delivery.ports import DeliveryError
from core.enrollment.types import ConfirmStatus, ContactSource, StartStatus
from core.types import Method, Requester, SendStatus
from tests.core.conftest import CoreFactory, add_employee
from tests.support import FakeClock
from tests.support.enrollment import code_sent_to, messages_to

WEB = Requester("web", "enroll-visitor")
NEW_PHONE = "+447700900123"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def without_phone(core) -> int:  # type: ignore[no-untyped-def]
    return add_employee(core, phone=None, answers={})


def test_a_phone_counts_after_its_code_and_recovery_then_sends_codes_to_it(core) -> None:
    account_id = without_phone(core)
    assert core.enrollment.methods(account_id).count == 1  # the directory email
    started = core.enrollment.start_contact(account_id, "sms", "+44 (7700) 900-123", WEB)
    assert started.status is StartStatus.OK
    code = code_sent_to(core, NEW_PHONE)
    assert core.enrollment.confirm_contact(account_id, "sms", code).status is ConfirmStatus.OK

    methods = core.enrollment.methods(account_id)
    phone = next(c for c in methods.contacts if c.kind == "sms")
    assert (phone.display, phone.source, phone.verified) == (NEW_PHONE, ContactSource.SELF, True)
    assert not phone.read_only
    assert phone.confirmed_at is not None and methods.count == 2

    handle = core.recovery.start("E1001", Requester("web", "later"))
    assert Method.SMS in core.recovery.options(handle).methods
    assert core.recovery.send_code(handle, Method.SMS).sent
    recovery_code = code_sent_to(core, NEW_PHONE)
    assert core.recovery.verify_code(handle, recovery_code).ok


def test_a_pending_contact_is_never_offered_nor_sent_a_recovery_code(core) -> None:
    account_id = without_phone(core)
    assert core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB).status is StartStatus.OK
    before = len(messages_to(core, NEW_PHONE))  # the enrollment code only

    handle = core.recovery.start("E1001", Requester("web", "attacker"))
    assert Method.SMS not in core.recovery.options(handle).methods
    assert core.recovery.send_code(handle, Method.SMS).status is SendStatus.NOT_OFFERED
    assert len(messages_to(core, NEW_PHONE)) == before
    assert all(c.kind != "sms" for c in core.enrollment.methods(account_id).contacts)


def test_wrong_codes_count_down_then_the_code_is_used_up(make_core: CoreFactory) -> None:
    core = make_core(code_max_attempts=2)
    account_id = without_phone(core)
    core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB)
    code = code_sent_to(core, NEW_PHONE)
    first = core.enrollment.confirm_contact(account_id, "sms", wrong(code))
    assert (first.status, first.tries_left) == (ConfirmStatus.WRONG, 1)
    assert core.enrollment.confirm_contact(account_id, "sms", wrong(code)).status is ConfirmStatus.USED_UP
    assert core.enrollment.confirm_contact(account_id, "sms", code).status is ConfirmStatus.USED_UP
    assert core.enrollment.methods(account_id).count == 1


def test_an_expired_code_does_not_confirm(core, clock: FakeClock) -> None:
    account_id = without_phone(core)
    core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB)
    code = code_sent_to(core, NEW_PHONE)
    clock.advance(seconds=core.settings.code_ttl_seconds)
    assert core.enrollment.confirm_contact(account_id, "sms", code).status is ConfirmStatus.EXPIRED
    assert core.enrollment.confirm_contact(account_id, "email", code).status is ConfirmStatus.EXPIRED  # none pending


def test_a_resend_waits_and_keeps_the_tries_spent(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(code_max_attempts=3)
    account_id = without_phone(core)
    core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB)
    core.enrollment.confirm_contact(account_id, "sms", "000000")
    soon = core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB)
    assert soon.status is StartStatus.TOO_SOON and soon.retry_after == 60
    clock.advance(seconds=60)
    assert core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB).status is StartStatus.OK
    code = code_sent_to(core, NEW_PHONE)
    assert core.enrollment.confirm_contact(account_id, "sms", wrong(code)).tries_left == 1


def test_invalid_values_and_directory_contacts_are_refused(core) -> None:
    account_id = without_phone(core)
    for kind, value in (("sms", "07700 900123"), ("sms", "call me"), ("email", "not-an-address"), ("email", "a@b")):
        result = core.enrollment.start_contact(account_id, kind, value, WEB)
        assert result.status is StartStatus.INVALID and result.problem, value
    directory = core.enrollment.start_contact(account_id, "email", "someone@example.org", WEB)
    assert directory.status is StartStatus.INVALID and "company directory" in directory.problem
    assert messages_to(core, "someone@example.org") == []


def test_a_self_email_is_used_by_recovery_only_where_the_directory_has_none(core) -> None:
    account_id = add_employee(core, email=None, phone=None)
    assert core.enrollment.start_contact(account_id, "email", "Me@Example.ORG", WEB).status is StartStatus.OK
    code = code_sent_to(core, "Me@example.org")
    assert core.enrollment.confirm_contact(account_id, "email", code).status is ConfirmStatus.OK
    handle = core.recovery.start("E1001", Requester("web", "later"))
    assert core.recovery.options(handle).methods == (Method.EMAIL, Method.QUESTIONS)


def test_no_code_is_queued_while_the_provider_is_down(core) -> None:
    account_id = without_phone(core)
    breaker = core.recovery.breakers[Method.SMS]

    def failing() -> None:
        raise DeliveryError("sms", "provider down")

    for _ in range(breaker.failure_threshold):
        with contextlib.suppress(DeliveryError):
            breaker.call(failing)
    result = core.enrollment.start_contact(account_id, "sms", NEW_PHONE, WEB)
    assert result.status is StartStatus.UNAVAILABLE
    assert messages_to(core, NEW_PHONE) == []
