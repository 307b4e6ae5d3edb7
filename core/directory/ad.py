"""Active Directory (and Samba AD): people keyed by objectGUID, passwords set by a `unicodePwd` replace over TLS.

The replace, clearing `lockoutTime` (an admin reset alone does not unlock) and `pwdLastSet=0` for "must change"
go in one modify, so they happen together or not at all. The policy-hints control asks AD to apply the
password history to this admin reset; it is sent non-critical because Samba does not support it. A refusal
by the domain's policy is a constraint violation carrying `0000052D`, turned into plain words.
"""

from __future__ import annotations

import uuid
from typing import Any

import ldap3

from core.directory.ldap_common import Entry, LdapDirectoryBase, LdapOperationError
from core.directory.port import PasswordRefused
from core.i18n import N_

__all__ = ["POLICY_HINTS_CONTROL", "ActiveDirectory"]

POLICY_HINTS_CONTROL = "1.2.840.113556.1.4.2239"
_POLICY_HINTS_ON = b"\x30\x03\x02\x01\x01"  # SEQUENCE { flags INTEGER 1 }
_REFUSAL = N_(  # a msgid: the reset page translates it
    "The company directory's password rules refused this password (too short, too simple, or used before). "
    "Please choose another: long, with upper and lower case letters, digits and symbols."
)


class ActiveDirectory(LdapDirectoryBase):
    STABLE_ATTRIBUTE = "objectGUID"
    LOCK_ATTRIBUTE = "lockoutTime"

    def stable_id(self, entry: Entry) -> str | None:
        raw = entry.raw.get("objectGUID") or []
        return str(uuid.UUID(bytes_le=raw[0])) if raw and len(raw[0]) == 16 else None

    def stable_filter(self, stable_id: str) -> str:
        escaped = "".join(f"\\{byte:02x}" for byte in uuid.UUID(stable_id).bytes_le)
        return f"(objectGUID={escaped})"

    def is_locked(self, entry: Entry) -> bool:
        value = entry.attributes.get("lockoutTime")
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            return False
        if hasattr(value, "timestamp"):  # decoded as a datetime when the schema is known
            return value.year > 1601
        return str(value).strip() not in ("", "0")

    def change_password(self, connection: ldap3.Connection, entry: Entry, password: str) -> None:
        changes: dict[str, list[tuple[str, list[Any]]]] = {
            "unicodePwd": [(ldap3.MODIFY_REPLACE, [f'"{password}"'.encode("utf-16-le")])]
        }
        if self.is_locked(entry):
            changes["lockoutTime"] = [(ldap3.MODIFY_REPLACE, ["0"])]
        if self.config.force_change:
            changes["pwdLastSet"] = [(ldap3.MODIFY_REPLACE, ["0"])]
        if connection.modify(entry.dn, changes, controls=[(POLICY_HINTS_CONTROL, False, _POLICY_HINTS_ON)]):
            return
        result = connection.result
        if "0000052D" in str(result.get("message", "")).upper() or result["result"] == 19:
            raise PasswordRefused((_REFUSAL,))
        raise LdapOperationError(f"password change refused: {result['description']}")

    def clear_lock(self, connection: ldap3.Connection, entry: Entry) -> None:
        if not connection.modify(entry.dn, {"lockoutTime": [(ldap3.MODIFY_REPLACE, ["0"])]}):
            raise LdapOperationError(f"unlock refused: {connection.result['description']}")
