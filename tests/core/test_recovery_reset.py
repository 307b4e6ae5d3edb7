"""Reset links, completing a reset, unlock, and the notices that follow, through a real SMTP server."""

from __future__ import annotations

import re
import threading

import pytest

from app import Core
from core.types import CheckStatus, Method, NotVerifiedError, Purpose, Requester, ResetStatus
from tests.core.conftest import ANSWERS, OLD_PASSWORD, CoreFactory, add_employee, last_outbox_code
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support import FakeClock, deliver_queued

WEB = Requester("web", "visitor-1")
NEW_PASSWORD = "correct horse battery staple 42"


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def verified_by_email(core: Core, purpose: Purpose = Purpose.RESET) -> str:
    handle = core.recovery.start("E1001", WEB, purpose)
    assert core.recovery.send_code(handle, Method.EMAIL).sent
    assert core.recovery.verify_code(handle, last_outbox_code(core)).status is CheckStatus.VERIFIED
    return handle


@pytest.fixture
def smtp_core(make_core: CoreFactory, smtp_server: FakeSmtpServer) -> Core:
    return make_core(email_backend="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False)


def code_from(message) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"\b(\d{6})\b", message.get_content())
    assert match is not None
    return match.group(1)


def test_link_is_built_from_the_public_url_and_expires_in_15_minutes(make_core, clock: FakeClock) -> None:
    core = make_core(public_url="https://reset.example.com/")
    add_employee(core)
    link = core.recovery.issue_reset_link(verified_by_email(core))
    assert re.fullmatch(r"https://reset\.example\.com/reset/[A-Za-z0-9_-]{43}", link.url)
    assert (link.expires_at - clock.now()).total_seconds() == 900
    clock.advance(899)
    assert core.recovery.link_is_valid(token_of(link.url))
    clock.advance(1)
    outcome = core.recovery.complete_reset(token_of(link.url), NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status is ResetStatus.INVALID_LINK


def test_no_link_or_unlock_before_verification(core) -> None:
    add_employee(core)
    handle = core.recovery.start("E1001", WEB)
    with pytest.raises(NotVerifiedError):
        core.recovery.issue_reset_link(handle)
    with pytest.raises(NotVerifiedError):
        core.recovery.unlock(handle)


def test_reset_sets_the_password_and_the_link_works_once(core) -> None:
    account_id = add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    assert core.directory.verify_password(account_id, NEW_PASSWORD)
    assert not core.directory.verify_password(account_id, OLD_PASSWORD)
    again = core.recovery.complete_reset(token, NEW_PASSWORD + "!", NEW_PASSWORD + "!")
    assert again.status is ResetStatus.INVALID_LINK


def test_policy_feedback_keeps_the_link_usable(core) -> None:
    add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    short = core.recovery.complete_reset(token, "short", "short")
    assert short.status is ResetStatus.REJECTED and short.problems
    mismatch = core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status is ResetStatus.MISMATCH
    reused = core.recovery.complete_reset(token, OLD_PASSWORD, OLD_PASSWORD)
    assert reused.status is ResetStatus.REJECTED
    assert any("last 5" in problem for problem in reused.problems)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE


def test_check_password_gives_live_feedback_only_for_a_valid_link(core) -> None:
    add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    weak = core.recovery.check_password(token, "jordan example 1")
    assert weak is not None and not weak.ok
    strong = core.recovery.check_password(token, NEW_PASSWORD)
    assert strong is not None and strong.ok
    assert core.recovery.check_password("not-a-token", NEW_PASSWORD) is None


def test_a_new_link_replaces_the_old_one(core, clock: FakeClock) -> None:
    add_employee(core)
    first = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    clock.advance(60)
    second = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    assert not core.recovery.link_is_valid(first)
    assert core.recovery.link_is_valid(second)


def test_two_threads_completing_one_link_exactly_one_wins(core) -> None:
    add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    barrier = threading.Barrier(2)
    results: list[ResetStatus] = []

    def attempt(password: str) -> None:
        barrier.wait()
        results.append(core.recovery.complete_reset(token, password, password).status)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in (NEW_PASSWORD, NEW_PASSWORD + " too")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [ResetStatus.DONE, ResetStatus.INVALID_LINK]


def test_directory_failure_never_half_resets(core, monkeypatch: pytest.MonkeyPatch) -> None:
    account_id = add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)

    def broken(*_args: object) -> None:
        raise ConnectionError("directory unreachable")

    monkeypatch.setattr(core.directory, "set_password", broken)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.FAILED
    assert core.directory.verify_password(account_id, OLD_PASSWORD)
    monkeypatch.undo()
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE


def test_reset_closes_open_codes_and_links(core, clock: FakeClock) -> None:
    add_employee(core)
    token = token_of(core.recovery.issue_reset_link(verified_by_email(core)).url)
    other = core.recovery.start("E1001", Requester("slack", "U2"))
    clock.advance(60)
    core.recovery.send_code(other, Method.EMAIL)
    pending_code = last_outbox_code(core)
    assert core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    assert core.recovery.verify_code(other, pending_code).status is CheckStatus.NO_CODE


def test_reset_after_email_code_notifies_every_contact(smtp_core: Core, smtp_server: FakeSmtpServer) -> None:
    add_employee(smtp_core)
    handle = smtp_core.recovery.start("E1001", WEB)
    smtp_core.recovery.send_code(handle, Method.EMAIL)
    deliver_queued(smtp_core)
    code = code_from(smtp_server.wait_for(1)[0])
    assert smtp_core.recovery.verify_code(handle, code).status is CheckStatus.VERIFIED
    token = token_of(smtp_core.recovery.issue_reset_link(handle).url)
    assert smtp_core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    notice = smtp_server.wait_for(2)[1]
    assert notice["To"] == "e1001@example.com"
    assert "password" in notice.get_content() and "changed" in notice.get_content()
    assert NEW_PASSWORD not in notice.get_content()
    assert "changed through ResetDesk" in last_sms_body(smtp_core)
    assert smtp_core.recovery.options(handle).completed


def test_reset_after_questions_notifies_every_contact(smtp_core: Core, smtp_server: FakeSmtpServer) -> None:
    add_employee(smtp_core)
    handle = smtp_core.recovery.start("E1001", WEB)
    questions = smtp_core.recovery.questions(handle)
    assert smtp_core.recovery.verify_answers(handle, {q.id: ANSWERS[q.id] for q in questions}).ok
    token = token_of(smtp_core.recovery.issue_reset_link(handle).url)
    assert smtp_core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    assert smtp_server.wait_for(1)[0]["Subject"] == "Your account was changed"
    assert "changed through ResetDesk" in last_sms_body(smtp_core)


def test_unlock_notifies_every_contact(smtp_core: Core, smtp_server: FakeSmtpServer) -> None:
    account_id = add_employee(smtp_core)
    smtp_core.directory.set_locked(account_id, True)
    handle = smtp_core.recovery.start("E1001", WEB, Purpose.UNLOCK)
    questions = smtp_core.recovery.questions(handle)
    assert smtp_core.recovery.verify_answers(handle, {q.id: ANSWERS[q.id] for q in questions}).ok
    smtp_core.recovery.unlock(handle)
    account = smtp_core.directory.get(account_id)
    assert account is not None and not account.locked
    assert "unlocked" in smtp_server.wait_for(1)[0].get_content()
    assert "unlocked through ResetDesk" in last_sms_body(smtp_core)


def test_a_failed_notice_does_not_undo_the_reset(smtp_core: Core, smtp_server: FakeSmtpServer) -> None:
    account_id = add_employee(smtp_core)
    handle = smtp_core.recovery.start("E1001", WEB)
    questions = smtp_core.recovery.questions(handle)
    smtp_core.recovery.verify_answers(handle, {q.id: ANSWERS[q.id] for q in questions})
    token = token_of(smtp_core.recovery.issue_reset_link(handle).url)
    smtp_server.reject_with = "451 4.3.0 Try again later"
    assert smtp_core.recovery.complete_reset(token, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    assert smtp_core.directory.verify_password(account_id, NEW_PASSWORD)


def last_sms_body(core: Core) -> str:
    from sqlalchemy import select

    from core.storage.models import OutboxMessage

    deliver_queued(core)
    with core.database.transaction() as session:
        body = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == "sms").order_by(OutboxMessage.id.desc())
        ).first()
    return body or ""


def test_abandoning_a_recovery_closes_its_link_and_codes(core, clock: FakeClock) -> None:
    add_employee(core)
    handle = verified_by_email(core)
    token = token_of(core.recovery.issue_reset_link(handle).url)
    other = core.recovery.start("E1001", Requester("slack", "U9"))
    clock.advance(60)
    core.recovery.send_code(other, Method.EMAIL)
    other_code = last_outbox_code(core)
    core.recovery.abandon(handle)
    assert not core.recovery.link_is_valid(token)
    # Another conversation's recovery is not touched.
    assert core.recovery.verify_code(other, other_code).status is CheckStatus.VERIFIED
