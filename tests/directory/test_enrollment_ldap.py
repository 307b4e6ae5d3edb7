"""Enrollment sign-in against a real OpenLDAP: the password is checked by a bind as the person; a self-enrolled
mobile fills the gap of someone the directory has none for, and recovery then sends codes to it."""

from __future__ import annotations

from app import Core
from core.enrollment.types import ConfirmStatus, ContactSource, SignInStatus, StartStatus
from core.types import Method, Requester
from tests.support.enrollment import code_sent_to
from tests.support.slapd import PEOPLE

WEB = Requester("web", "enroll-visitor")


def test_sign_in_binds_as_the_person(ldap_core: Core) -> None:
    ok = ldap_core.enrollment.sign_in("ada", PEOPLE["ada"][4], WEB)
    assert ok.status is SignInStatus.OK and ok.account_id is not None
    assert ldap_core.enrollment.sign_in("E2001", "Not-Adas-Password-1", WEB).status is SignInStatus.REFUSED
    assert ldap_core.enrollment.sign_in("nobody", PEOPLE["ada"][4], WEB).status is SignInStatus.REFUSED
    methods = ldap_core.enrollment.methods(ok.account_id)
    assert {(c.kind, c.source, c.read_only) for c in methods.contacts} == {
        ("sms", ContactSource.DIRECTORY, True), ("email", ContactSource.DIRECTORY, True),
    }  # fmt: skip


def test_a_self_enrolled_mobile_is_used_where_the_directory_has_none(ldap_core: Core) -> None:
    grace = ldap_core.enrollment.sign_in("grace", PEOPLE["grace"][4], WEB)
    assert grace.account_id is not None
    phone = "+15550009999"
    assert ldap_core.enrollment.start_contact(grace.account_id, "sms", phone, WEB).status is StartStatus.OK
    code = code_sent_to(ldap_core, phone)
    assert ldap_core.enrollment.confirm_contact(grace.account_id, "sms", code).status is ConfirmStatus.OK
    handle = ldap_core.recovery.start("E2003", Requester("web", "later"))
    assert Method.SMS in ldap_core.recovery.options(handle).methods
    assert ldap_core.recovery.send_code(handle, Method.SMS).sent
    assert ldap_core.recovery.verify_code(handle, code_sent_to(ldap_core, phone)).ok
