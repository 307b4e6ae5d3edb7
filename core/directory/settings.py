"""The directory's settings (RESETDESK_DIRECTORY, RESETDESK_LDAP_*), a part of core.settings.Settings.

Kept beside the backends that read them; `Settings` inherits these fields, so they are read, validated and
named exactly like every other setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

__all__ = ["DirectorySettings"]


class DirectorySettings(BaseSettings):
    # `ldap` (OpenLDAP) and `ad` (Active Directory) need the LDAP_* values, checked in load_settings.
    directory: Literal["sql", "ldap", "ad"] = "sql"
    ldap_url: str | None = None  # ldaps://host:636, or ldap://host:389 with StartTLS
    ldap_bind_dn: str | None = None
    ldap_bind_password: SecretStr | None = None
    ldap_base_dn: str | None = None
    ldap_ca_file: Path | None = None
    ldap_timeout_seconds: float = Field(5.0, gt=0, le=60)
    ldap_allow_plaintext: bool = False  # plain ldap:// without TLS: tests only, warned about at start-up
    ldap_user_filter: str | None = None  # default per kind, see core.directory.ldap_common
    ldap_id_attributes: str | None = None  # comma-separated; default per kind
    ldap_name_attribute: str | None = None
    ldap_email_attribute: str | None = None
    ldap_mobile_attribute: str | None = None
    ldap_force_change: bool = False  # a reset sets pwdReset (OpenLDAP) or pwdLastSet=0 (AD)

    @field_validator("ldap_url")
    @classmethod
    def _ldap_url_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("ldap://", "ldaps://")):
            raise ValueError("must be an ldaps://host:636 or ldap://host:389 URL")
        return value or None

    @field_validator("ldap_ca_file", mode="before")
    @classmethod
    def _ldap_ca_file_exists(cls, value: object) -> object:
        if value in (None, ""):
            return None  # the system's trusted CAs
        if not Path(str(value)).is_file():
            raise ValueError("no such file")
        return value

    @field_validator("ldap_id_attributes")
    @classmethod
    def _ldap_attribute_list(cls, value: str | None) -> str | None:
        if value is not None and not all(part.strip().replace("-", "").isalnum() for part in value.split(",")):
            raise ValueError("must be attribute names separated by commas, e.g. employeeNumber,uid,mail")
        return value or None
