"""ResetDesk on a real OpenLDAP (slapd with ppolicy): reset, lock, refusals, injection, outage, must-change."""

from __future__ import annotations

import pytest

from app import Core
from core.directory.ldap import PPOLICY_CONTROL, OpenLdapDirectory, ppolicy_error
from core.directory.port import DirectoryUnavailable
from core.storage.models import DirectoryAccount, HandoffTicket, Recovery
from core.types import Requester, ResetStatus
from tests.directory.conftest import LdapCoreFactory, Talk, bind_as, can_bind, person_dn
from tests.support import FakeClock
from tests.support.slapd import MAX_FAILURES, PEOPLE, Slapd

NEW = "maple river quietly 1987 lantern"
ADA_OLD = PEOPLE["ada"][4]


def test_reset_changes_the_password_in_the_directory(ldap_core: Core, slapd_server: Slapd) -> None:
    token = Talk(ldap_core).reset_token("E2001")
    outcome = ldap_core.recovery.complete_reset(token, NEW, NEW)
    assert outcome.status is ResetStatus.DONE, outcome
    # pwdMustChange is on in the policy, but the person chose this password: no change is required.
    connection = bind_as(slapd_server, "ada", NEW, controls=[(PPOLICY_CONTROL, False, None)])
    assert connection.bound
    assert ppolicy_error(connection.result["controls"][PPOLICY_CONTROL]["value"]) is None
    connection.unbind()
    assert not can_bind(slapd_server, "ada", ADA_OLD)


def test_people_are_found_by_each_mapped_attribute_and_keyed_by_entry_uuid(
    ldap_core: Core, slapd_server: Slapd
) -> None:
    by_number, by_uid, by_mail = (ldap_core.directory.find(i) for i in ("e2001", "ADA", "ada@example.test"))
    assert by_number is not None and by_number == by_uid == by_mail
    contacts = (by_number.full_name, by_number.email, by_number.phone)
    assert contacts == ("Ada Lovelace", "ada@example.test", "+15550002001")
    admin = slapd_server.admin()
    admin.search(person_dn("ada"), "(objectClass=*)", attributes=["entryUUID"])  # type: ignore[attr-defined]
    uuid = str(admin.entries[0].entryUUID)  # type: ignore[attr-defined]
    with ldap_core.database.transaction() as session:
        row = session.get(DirectoryAccount, by_number.id)
        assert row is not None and (row.directory, row.stable_id) == ("ldap", uuid.lower())
    # A rename (modrdn) keeps the same local account: enrolled answers, history and audit follow.
    admin.modify_dn(person_dn("ada"), "uid=ada.lovelace")  # type: ignore[attr-defined]
    renamed = ldap_core.directory.find("ada.lovelace")
    assert renamed is not None and renamed.id == by_number.id
    assert ldap_core.directory.get(by_number.id) == renamed
    admin.unbind()  # type: ignore[attr-defined]


def test_identifier_injection_finds_nobody(ldap_core: Core) -> None:
    for attack in ("*)(uid=*", "*", "ada)(|(uid=*", "E2001*", "\\2a"):
        assert ldap_core.directory.find(attack) is None
    assert ldap_core.directory.find("ada") is not None
    handle = ldap_core.recovery.start("*)(uid=*", Requester("web", "attacker"))
    with ldap_core.database.transaction() as session:
        recovery = session.get(Recovery, handle)
        assert recovery is not None and recovery.account_id is None  # treated as an unknown person
        assert session.query(DirectoryAccount).count() == 1  # only ada, from the lookup above


def test_bad_binds_lock_then_the_chat_unlocks(ldap_core: Core, slapd_server: Slapd) -> None:
    for _ in range(MAX_FAILURES + 1):
        assert not can_bind(slapd_server, "alan", "wrong password")
    assert not can_bind(slapd_server, "alan", PEOPLE["alan"][4])  # locked: even the right password fails
    talk = Talk(ldap_core)
    talk.say("I'm locked out, please unlock my account")
    talk.say("E2002")
    talk.say("email")
    from tests.core.conftest import last_outbox_code

    replies = talk.say(last_outbox_code(ldap_core))
    assert any("unlocked" in r.text for r in replies), [r.text for r in replies]
    assert can_bind(slapd_server, "alan", PEOPLE["alan"][4])
    account = ldap_core.directory.find("alan")
    assert account is not None and not account.locked


def test_a_reset_also_clears_the_lock(ldap_core: Core, slapd_server: Slapd) -> None:
    for _ in range(MAX_FAILURES + 1):
        can_bind(slapd_server, "ada", "wrong password")
    token = Talk(ldap_core).reset_token("ada")
    assert ldap_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    assert can_bind(slapd_server, "ada", NEW)


def test_directory_policy_refusal_is_explained_and_the_link_still_works(
    ldap_core: Core, slapd_server: Slapd, clock: FakeClock
) -> None:
    token = Talk(ldap_core).reset_token("ada")
    assert ldap_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    clock.advance(minutes=2)  # codes are sent at least a minute apart
    token = Talk(ldap_core, "person-2").reset_token("ada")
    refused = ldap_core.recovery.complete_reset(token, NEW, NEW)  # the directory keeps the history
    assert refused.status is ResetStatus.REJECTED
    assert refused.problems == ("It is one of your recent passwords. Please choose a new one.",)
    assert ldap_core.recovery.link_is_valid(token)
    other = "copper window gently 2044 harbour"
    assert ldap_core.recovery.complete_reset(token, other, other).status is ResetStatus.DONE
    assert can_bind(slapd_server, "ada", other) and not can_bind(slapd_server, "ada", NEW)


def test_ppolicy_too_short_is_explained(make_ldap_core: LdapCoreFactory, slapd_server: Slapd) -> None:
    admin = slapd_server.admin()
    admin.modify(  # type: ignore[attr-defined]
        "cn=default,ou=policies,dc=example,dc=test", {"pwdMinLength": [("MODIFY_REPLACE", ["40"])]}
    )
    admin.unbind()  # type: ignore[attr-defined]
    core = make_ldap_core()
    token = Talk(core).reset_token("ada")
    refused = core.recovery.complete_reset(token, NEW, NEW)
    assert refused.status is ResetStatus.REJECTED and "longer" in refused.problems[0]
    assert core.recovery.link_is_valid(token)


def test_server_stopped_mid_conversation_hands_off(ldap_core: Core, slapd_server: Slapd) -> None:
    talk = Talk(ldap_core)
    talk.say("I forgot my password")
    talk.say("E2001")  # found: the methods are offered
    slapd_server.stop()
    replies = talk.say("email")
    text = " ".join(r.text for r in replies)
    assert "directory unavailable" in text and "ticket" in text.lower()
    with ldap_core.database.transaction() as session:
        ticket = session.query(HandoffTicket).one()
        assert ticket.reason == "directory_unavailable"


def test_must_change_setting_sets_pwd_reset(make_ldap_core: LdapCoreFactory, slapd_server: Slapd) -> None:
    core = make_ldap_core(ldap_force_change=True)
    token = Talk(core).reset_token("grace")
    assert core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    connection = bind_as(slapd_server, "grace", NEW, controls=[(PPOLICY_CONTROL, False, None)])
    assert connection.bound
    control = connection.result["controls"][PPOLICY_CONTROL]
    assert ppolicy_error(control["value"]) == 2  # changeAfterReset
    connection.unbind()


def test_directory_down_at_the_reset_page_keeps_the_link(ldap_core: Core, slapd_server: Slapd) -> None:
    token = Talk(ldap_core).reset_token("ada")
    slapd_server.stop()
    failed = ldap_core.recovery.complete_reset(token, NEW, NEW)
    assert failed.status is ResetStatus.FAILED and "can't reach the company directory" in failed.problems[0]
    slapd_server.start()
    assert ldap_core.recovery.link_is_valid(token)
    assert ldap_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    assert can_bind(slapd_server, "ada", NEW)


def test_the_breaker_opens_after_repeated_outages(ldap_core: Core, slapd_server: Slapd) -> None:
    directory = ldap_core.directory
    assert isinstance(directory, OpenLdapDirectory)
    slapd_server.stop()
    for _ in range(ldap_core.settings.breaker_failure_threshold):
        with pytest.raises(DirectoryUnavailable, match="unreachable"):
            directory.find("ada")
    assert directory.breaker.state == "open"
    slapd_server.start()
    with pytest.raises(DirectoryUnavailable):  # still open: no network call until the cooldown passes
        directory.find("ada")
