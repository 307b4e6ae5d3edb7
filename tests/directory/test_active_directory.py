"""ResetDesk on a real Active Directory (a Samba AD DC): reset, lock, the 0000052D refusal, injection, outage,
must-change. Each test adds its own people to the session's domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import Core, build_core
from core.storage.db import Database
from core.storage.models import HandoffTicket
from core.types import ResetStatus
from tests.directory.conftest import Talk
from tests.support import FakeClock, make_settings
from tests.support.samba import AD_BASE_DN, MAX_FAILURES, AdPerson, Samba, samba_dc

__all__ = ["samba_dc"]

NEW = "Maple river quietly 1987 lantern"
SIMPLE = "maplerivertquietlylanternharbour"  # strong for ResetDesk, but not complex enough for AD


@pytest.fixture
def make_ad_core(samba_dc: Samba, database: Database, clock: FakeClock) -> Iterator[Any]:
    built: list[Core] = []

    def factory(**overrides: Any) -> Core:
        values = {"directory": "ad", "ldap_url": samba_dc.url, "ldap_bind_dn": samba_dc.service_dn,
                  "ldap_bind_password": samba_dc.service_password, "ldap_base_dn": AD_BASE_DN,
                  "ldap_ca_file": samba_dc.ca_file, "ldap_timeout_seconds": 3} | overrides  # fmt: skip
        core = build_core(make_settings(database_url=database.url, **values), clock=clock, migrate=False)
        built.append(core)
        return core

    yield factory
    for core in built:
        core.directory.close()  # type: ignore[attr-defined]
        core.database.dispose()


@pytest.fixture
def ad_core(make_ad_core: Any) -> Core:
    return make_ad_core()


@pytest.fixture
def person(samba_dc: Samba) -> AdPerson:
    return samba_dc.add_person("Ada Lovelace")


def test_reset_changes_the_password_in_ad(ad_core: Core, samba_dc: Samba, person: AdPerson) -> None:
    token = Talk(ad_core).reset_token(person.employee_id)
    assert ad_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    assert samba_dc.bind_message(person.dn, NEW) == "ok"
    assert samba_dc.bind_message(person.dn, person.password) == "52e"  # old password refused at once


def test_found_by_each_id_attribute_keyed_by_object_guid(ad_core: Core, person: AdPerson) -> None:
    found = [ad_core.directory.find(i) for i in (person.employee_id, person.sam, f"{person.sam}@example.test")]
    assert found[0] is not None and found.count(found[0]) == 3
    assert found[0].full_name == "Ada Lovelace" and found[0].phone == "+15550003000"
    assert ad_core.directory.get(found[0].id) == found[0]


def test_identifier_injection_finds_nobody(ad_core: Core, person: AdPerson) -> None:
    for attack in ("*)(sAMAccountName=*", "*", f"{person.sam})(|(sAMAccountName=*", person.sam[:-1] + "*"):
        assert ad_core.directory.find(attack) is None
    assert ad_core.directory.find(person.sam) is not None


def test_bad_binds_lock_then_the_chat_unlocks(ad_core: Core, samba_dc: Samba, person: AdPerson) -> None:
    for _ in range(MAX_FAILURES):
        samba_dc.bind_message(person.dn, "wrong password")
    assert samba_dc.bind_message(person.dn, person.password) == "775"  # locked
    replies = Talk(ad_core).verify_by_email(person.employee_id, opening="I'm locked out, please unlock my account")
    assert any("unlocked" in r.text for r in replies), [r.text for r in replies]
    assert samba_dc.bind_message(person.dn, person.password) == "ok"


def test_a_reset_also_clears_the_lock(ad_core: Core, samba_dc: Samba, person: AdPerson) -> None:
    for _ in range(MAX_FAILURES):
        samba_dc.bind_message(person.dn, "wrong password")
    found = ad_core.directory.find(person.sam)
    assert found is not None and found.locked
    token = Talk(ad_core).reset_token(person.sam)
    assert ad_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    assert samba_dc.bind_message(person.dn, NEW) == "ok"  # an admin reset alone would leave lockoutTime set


def test_0000052d_refusal_is_explained_and_the_link_still_works(
    ad_core: Core, samba_dc: Samba, person: AdPerson
) -> None:
    token = Talk(ad_core).reset_token(person.employee_id)
    refused = ad_core.recovery.complete_reset(token, SIMPLE, SIMPLE)
    assert refused.status is ResetStatus.REJECTED and "password rules refused" in refused.problems[0]
    assert ad_core.recovery.link_is_valid(token)
    assert ad_core.recovery.complete_reset(token, NEW, NEW).status is ResetStatus.DONE
    assert samba_dc.bind_message(person.dn, NEW) == "ok"


def test_must_change_sets_pwd_last_set_zero(make_ad_core: Any, samba_dc: Samba, person: AdPerson) -> None:
    core = make_ad_core(ldap_force_change=True)
    token = Talk(core).reset_token(person.employee_id)
    outcome = core.recovery.complete_reset(token, NEW, NEW)
    assert outcome.status is ResetStatus.DONE and "next time you sign in" in outcome.problems[0]
    assert samba_dc.bind_message(person.dn, NEW) == "773"  # must change password


def test_server_stopped_mid_conversation_hands_off(ad_core: Core, samba_dc: Samba, person: AdPerson) -> None:
    talk = Talk(ad_core)
    talk.say("I forgot my password")
    talk.say(person.employee_id)
    samba_dc.stop()
    try:
        text = " ".join(r.text for r in talk.say("email"))
    finally:
        samba_dc.start()
    assert "directory unavailable" in text
    with ad_core.database.transaction() as session:
        assert session.query(HandoffTicket).one().reason == "directory_unavailable"
