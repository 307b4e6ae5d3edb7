"""A core (and web app) whose directory is a real slapd, and a person talking to the bot through the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ldap3
import pytest

from app import Core, build_core, build_engine
from bot.messages import Inbound
from core.storage.db import Database
from tests.core.conftest import last_outbox_code
from tests.support import FakeClock, make_settings
from tests.support.slapd import BASE_DN, SERVICE_DN, SERVICE_PASSWORD, Slapd, slapd_server

__all__ = ["LdapCoreFactory", "Talk", "bind_as", "can_bind", "ldap_settings", "person_dn", "slapd_server"]

LdapCoreFactory = Callable[..., Core]


def ldap_settings(server: Slapd, **overrides: Any) -> dict[str, Any]:
    return {
        "directory": "ldap", "ldap_url": server.url, "ldap_bind_dn": SERVICE_DN,
        "ldap_bind_password": SERVICE_PASSWORD, "ldap_base_dn": BASE_DN, "ldap_ca_file": server.ca_file,
        "ldap_timeout_seconds": 2,
    } | overrides  # fmt: skip


@pytest.fixture
def make_ldap_core(slapd_server: Slapd, database: Database, clock: FakeClock) -> Iterator[LdapCoreFactory]:
    built: list[Core] = []

    def factory(**overrides: Any) -> Core:
        settings = make_settings(database_url=database.url, **ldap_settings(slapd_server, **overrides))
        core = build_core(settings, clock=clock, migrate=False)
        built.append(core)
        return core

    yield factory
    for core in built:
        close = getattr(core.directory, "close", None)
        if close is not None:
            close()
        core.database.dispose()


@pytest.fixture
def ldap_core(make_ldap_core: LdapCoreFactory) -> Core:
    return make_ldap_core()


def person_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{BASE_DN}"


def bind_as(server: Slapd, uid: str, password: str, controls: Any = None) -> ldap3.Connection:
    """A StartTLS connection after a bind as the person; `.bound` tells whether the directory took it."""
    tls = ldap3.Tls(ca_certs_file=str(server.ca_file))
    connection = ldap3.Connection(ldap3.Server(server.url, tls=tls), person_dn(uid), password)
    connection.open()
    connection.start_tls()
    connection.bind(controls=controls)
    return connection


def can_bind(server: Slapd, uid: str, password: str) -> bool:
    connection = bind_as(server, uid, password)
    bound = bool(connection.bound)
    connection.unbind()
    return bound


class Talk:
    """A person chatting with the bot through the engine (the web chat has its own test)."""

    def __init__(self, core: Core, user_id: str = "person-1") -> None:
        self.core = core
        self.engine = build_engine(core)
        self.user_id = user_id

    def say(self, text: str) -> list[Any]:
        return self.engine.handle(Inbound("web", self.user_id, text))

    def verify_by_email(self, identifier: str, opening: str = "I forgot my password") -> list[Any]:
        self.say(opening)
        self.say(identifier)
        self.say("email")
        return self.say(last_outbox_code(self.core))

    def reset_token(self, identifier: str) -> str:
        replies = self.verify_by_email(identifier)
        link = replies[-1].link
        assert link is not None, [r.text for r in replies]
        return str(link.url).rsplit("/", 1)[1]
