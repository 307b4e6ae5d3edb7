"""Building the LDAP or AD backend that the settings ask for (RESETDESK_DIRECTORY=ldap|ad)."""

from __future__ import annotations

from core.clock import Clock
from core.delivery.breaker import CircuitBreaker
from core.directory.ad import ActiveDirectory
from core.directory.keys import AccountKeys
from core.directory.ldap import OpenLdapDirectory
from core.directory.ldap_common import LdapDirectoryBase
from core.directory.ldap_config import LdapConfig
from core.settings import Settings
from core.storage.db import Database

__all__ = ["remote_directory"]


def remote_directory(settings: Settings, database: Database, clock: Clock) -> LdapDirectoryBase:
    config = LdapConfig.from_settings(settings)
    backend = OpenLdapDirectory if config.kind == "ldap" else ActiveDirectory
    breaker = CircuitBreaker(
        "directory",
        failure_threshold=settings.breaker_failure_threshold,
        cooldown_seconds=settings.breaker_cooldown_seconds,
        clock=clock,
    )
    return backend(config, AccountKeys(database, clock, config.kind), breaker)
