"""The settings of an LDAP or AD directory, with each kind's default mapping filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.settings import Settings

__all__ = ["DEFAULTS", "LdapConfig"]

Kind = Literal["ldap", "ad"]
# Per kind: user filter, id attributes (employee ID first, username second), name, email, mobile.
DEFAULTS: dict[str, tuple[str, str, str, str, str]] = {
    "ldap": ("(objectClass=inetOrgPerson)", "employeeNumber,uid,mail", "cn", "mail", "mobile"),
    "ad": ("(&(objectCategory=person)(objectClass=user))", "employeeID,sAMAccountName,userPrincipalName,mail",
           "displayName", "mail", "mobile"),
}  # fmt: skip


@dataclass(frozen=True)
class LdapConfig:
    kind: Kind
    url: str
    bind_dn: str
    bind_password: str = field(repr=False)
    base_dn: str
    ca_file: str | None = None
    timeout: float = 5.0
    allow_plaintext: bool = False
    user_filter: str = ""
    id_attributes: tuple[str, ...] = ()
    name_attribute: str = ""
    email_attribute: str = ""
    mobile_attribute: str = ""
    force_change: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> LdapConfig:
        kind = settings.directory
        assert kind in ("ldap", "ad") and settings.ldap_url and settings.ldap_bind_dn and settings.ldap_base_dn
        assert settings.ldap_bind_password is not None
        user_filter, ids, name, email, mobile = DEFAULTS[kind]
        user_filter = settings.ldap_user_filter or user_filter
        if not user_filter.startswith("("):
            user_filter = f"({user_filter})"
        return cls(
            kind=kind, url=settings.ldap_url, bind_dn=settings.ldap_bind_dn,
            bind_password=settings.ldap_bind_password.get_secret_value(), base_dn=settings.ldap_base_dn,
            ca_file=str(settings.ldap_ca_file) if settings.ldap_ca_file else None,
            timeout=settings.ldap_timeout_seconds, allow_plaintext=settings.ldap_allow_plaintext,
            user_filter=user_filter,
            id_attributes=tuple(a.strip() for a in (settings.ldap_id_attributes or ids).split(",") if a.strip()),
            name_attribute=settings.ldap_name_attribute or name, email_attribute=settings.ldap_email_attribute or email,
            mobile_attribute=settings.ldap_mobile_attribute or mobile, force_change=settings.ldap_force_change,
        )  # fmt: skip
