"""An email address or a mobile number typed as the identifier, looked up in a real slapd (issue 15)."""

from __future__ import annotations

import ldap3
import pytest

from app import Core
from tests.core.conftest import last_outbox_code
from tests.directory.conftest import LdapCoreFactory, Talk, person_dn
from tests.support.slapd import Slapd

CODE_BY_EMAIL = "I've sent a 6-digit code to a•••@example.test."


@pytest.fixture
def ids_only_core(make_ldap_core: LdapCoreFactory) -> Core:
    """The id attributes without `mail`: email and mobile are found through their own attributes."""
    return make_ldap_core(ldap_id_attributes="employeeNumber,uid")


@pytest.mark.parametrize(
    "typed", ["ada@example.test", "ADA@Example.Test", "+15550002001", "+1 555 000 2001", "(555) 000-2001"]
)
def test_mail_or_mobile_finds_the_person(ids_only_core: Core, typed: str) -> None:
    account = ids_only_core.directory.find(typed)
    assert account is not None and account.employee_id == "E2001"


@pytest.mark.parametrize("typed", ["ada@example.tes", "+15550002009", "0002001", "+44 5550002001"])
def test_a_near_miss_finds_nobody(ids_only_core: Core, typed: str) -> None:
    assert ids_only_core.directory.find(typed) is None


@pytest.mark.parametrize("attack", ["*@example.test", "ada@example.test)(uid=*", "a*@x.test", "\\2a@example.test"])
def test_an_email_shaped_injection_finds_nobody(ids_only_core: Core, attack: str) -> None:
    assert ids_only_core.directory.find(attack) is None


def test_a_mobile_two_people_share_finds_nobody(ids_only_core: Core, slapd_server: Slapd) -> None:
    admin = slapd_server.admin()
    admin.modify(person_dn("alan"), {"mobile": [(ldap3.MODIFY_REPLACE, ["+1 555 000 2001"])]})  # type: ignore[attr-defined]
    admin.unbind()  # type: ignore[attr-defined]
    assert ids_only_core.directory.find("+15550002001") is None
    assert ids_only_core.directory.find("E2001") is not None


def test_the_chat_sends_the_code_to_the_person_found_by_email(ids_only_core: Core) -> None:
    talk = Talk(ids_only_core)
    talk.say("I forgot my password")
    talk.say("Ada@Example.test")
    replies = talk.say("email")
    assert replies[-1].text.startswith(CODE_BY_EMAIL)
    assert last_outbox_code(ids_only_core)  # a code really went out
