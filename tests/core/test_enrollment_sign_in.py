"""Signing in to enrollment: the directory's password check under recovery's limits, lock and enumeration rules."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.enrollment.types import SignInStatus
from core.storage.models import AuditEvent
from core.types import Requester
from tests.core.conftest import OLD_PASSWORD, CoreFactory, add_employee
from tests.support import FakeClock

WEB = Requester("web", "enroll-visitor")


def test_the_right_password_signs_in_and_a_wrong_one_is_refused(core) -> None:
    account_id = add_employee(core)
    ok = core.enrollment.sign_in("e1001user", OLD_PASSWORD, WEB)
    assert (ok.status, ok.account_id) == (SignInStatus.OK, account_id)
    wrong = core.enrollment.sign_in("E1001", OLD_PASSWORD + "x", WEB)
    assert (wrong.status, wrong.account_id) == (SignInStatus.REFUSED, None)


def test_an_unknown_identifier_is_refused_like_a_wrong_password(core) -> None:
    add_employee(core)
    unknown = core.enrollment.sign_in("E9999", OLD_PASSWORD, WEB)
    wrong = core.enrollment.sign_in("E1001", "not the password at all", WEB)
    assert unknown == wrong
    assert unknown.status is SignInStatus.REFUSED


def test_a_locked_account_is_refused_even_with_the_right_password(core) -> None:
    account_id = add_employee(core)
    core.directory.set_locked(account_id, True)
    assert core.enrollment.sign_in("E1001", OLD_PASSWORD, WEB).status is SignInStatus.REFUSED


def test_guessing_pauses_after_the_configured_failures_known_and_unknown_alike(make_core: CoreFactory) -> None:
    core = make_core(verification_max_failures=3)
    add_employee(core)
    for identifier in ("E1001", "E9999"):
        guesser = Requester("web", f"guesser-{identifier}")
        results = [core.enrollment.sign_in(identifier, f"guess {n}", guesser).status for n in range(3)]
        assert results == [SignInStatus.REFUSED] * 3
        paused = core.enrollment.sign_in(identifier, OLD_PASSWORD, guesser)
        assert paused.status is SignInStatus.PAUSED and paused.retry_after > 0
        # From another browser too: the account (or unknown identifier) itself is paused, not only the guesser.
        assert core.enrollment.sign_in(identifier, OLD_PASSWORD, Requester("web", "else")).status is SignInStatus.PAUSED


def test_sign_in_failures_lock_recovery_too(make_core: CoreFactory, clock: FakeClock) -> None:
    core = make_core(verification_max_failures=3)
    add_employee(core)
    for n in range(3):
        core.enrollment.sign_in("E1001", f"guess {n}", Requester("web", f"g{n}"))
    assert core.recovery.options(core.recovery.start("E1001", Requester("web", "owner"))).locked
    clock.advance(hours=25)  # the failure window passed
    assert core.enrollment.sign_in("E1001", OLD_PASSWORD, WEB).status is SignInStatus.OK


def test_a_burst_from_one_requester_is_paused_by_the_per_minute_cap(make_core: CoreFactory) -> None:
    core = make_core(verification_max_failures=4)
    for n in range(4):
        add_employee(core, f"E20{n:02d}")
    # Four different accounts, one requester: the requester's per-minute cap (and its failure count) pause it.
    statuses = [core.enrollment.sign_in(f"E20{n:02d}", "wrong", WEB).status for n in range(4)]
    assert statuses == [SignInStatus.REFUSED] * 4
    assert core.enrollment.sign_in("E2000", OLD_PASSWORD, WEB).status is SignInStatus.PAUSED


def test_audit_names_a_pseudonym_and_never_the_password(core) -> None:
    add_employee(core)
    core.enrollment.sign_in("E1001", OLD_PASSWORD, WEB)
    core.enrollment.sign_in("E1001", "Wrong-Secret-Guess-77", WEB)
    with core.database.transaction() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.event == "enroll.sign_in")).all()
        text = json.dumps([[r.actor, r.detail] for r in rows])
    assert [r.detail["outcome"] for r in rows] == ["ok", "refused"]
    assert OLD_PASSWORD not in text and "Wrong-Secret-Guess-77" not in text
    assert "enroll-visitor" not in text  # the channel user id is pseudonymised
