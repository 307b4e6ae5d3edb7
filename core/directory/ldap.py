"""OpenLDAP: people keyed by entryUUID, passwords changed by the password-modify extended operation.

The password-policy request control goes with the change, so a refusal by slapd's ppolicy overlay comes back
with its reason (in history, too short, too weak, too young), which PasswordRefused turns into plain words.
The lock is ppolicy's `pwdAccountLockedTime`: unlock and reset delete it; "must change" sets `pwdReset`.
"""

from __future__ import annotations

import logging

import ldap3

from core.directory.ldap_common import Entry, LdapDirectoryBase, LdapOperationError
from core.directory.port import PasswordRefused
from core.i18n import N_

__all__ = ["PPOLICY_CONTROL", "OpenLdapDirectory", "ppolicy_error"]

log = logging.getLogger("core.directory")

PPOLICY_CONTROL = "1.3.6.1.4.1.42.2.27.8.5.1"
_CONSTRAINT_VIOLATION = 19
_NO_SUCH_ATTRIBUTE = 16
# ppolicy error numbers (draft-behera-ldap-password-policy) -> what the person reads (msgids: the reset
# page translates them).
_REFUSALS = {
    3: N_("The directory does not let this password be changed here. Please ask support."),
    5: N_("The directory finds this password too weak or too simple. Please choose another."),
    6: N_("The directory needs a longer password. Please choose a longer one."),
    7: N_("Your password was changed too recently to change it again yet. Please try later or ask support."),
    8: N_("It is one of your recent passwords. Please choose a new one."),
}
_GENERIC_REFUSAL = N_("The directory's password rules refused this password. Please choose another.")


def ppolicy_error(value: bytes | None) -> int | None:
    """The `error` of a PasswordPolicyResponseValue (SEQUENCE { warning [0] OPTIONAL, error [1] OPTIONAL })."""
    if not value or value[0] != 0x30 or len(value) < 2:
        return None
    position = 2
    while position + 1 < len(value):
        tag, length = value[position], value[position + 1]
        if tag == 0x81 and length >= 1 and position + 2 + length <= len(value):
            return int.from_bytes(value[position + 2 : position + 2 + length], "big")
        position += 2 + length
    return None


class OpenLdapDirectory(LdapDirectoryBase):
    STABLE_ATTRIBUTE = "entryUUID"
    LOCK_ATTRIBUTE = "pwdAccountLockedTime"

    def stable_id(self, entry: Entry) -> str | None:
        value = entry.first("entryUUID")
        return value.lower() if value else None

    def stable_filter(self, stable_id: str) -> str:
        return f"(entryUUID={ldap3.utils.conv.escape_filter_chars(stable_id)})"

    def is_locked(self, entry: Entry) -> bool:
        return entry.first("pwdAccountLockedTime") is not None

    def change_password(self, connection: ldap3.Connection, entry: Entry, password: str) -> None:
        connection.extend.standard.modify_password(
            user=entry.dn, new_password=password, controls=[(PPOLICY_CONTROL, False, None)]
        )
        result = connection.result
        if result["result"] != 0:
            control = (result.get("controls") or {}).get(PPOLICY_CONTROL) or {}
            error = ppolicy_error(control.get("value"))
            if error in _REFUSALS:
                raise PasswordRefused((_REFUSALS[error],))
            if result["result"] == _CONSTRAINT_VIOLATION:
                raise PasswordRefused((_GENERIC_REFUSAL,))
            raise LdapOperationError(f"password change refused: {result['description']}")
        # slapd's ppolicy usually drops the lock itself on an admin change; make sure. With `pwdMustChange` it
        # also sets pwdReset on any change not made by the person: they chose this password, so only
        # RESETDESK_LDAP_FORCE_CHANGE decides.
        failed = None
        if self.is_locked(entry) and not _delete_lock(connection, entry.dn):
            failed = "clearing the lock"
        if not failed and not self._set_must_change(connection, entry.dn):
            failed = "updating pwdReset"
        if failed:  # the password IS changed; loud for operators, and the person is not told "done"
            log.error("password changed, but %s failed (%s)", failed, connection.result["description"])
            raise LdapOperationError(f"password changed, but {failed} failed")

    def _set_must_change(self, connection: ldap3.Connection, dn: str) -> bool:
        if self.config.force_change:
            return bool(connection.modify(dn, {"pwdReset": [(ldap3.MODIFY_REPLACE, ["TRUE"])]}))
        done = connection.modify(dn, {"pwdReset": [(ldap3.MODIFY_DELETE, [])]})
        return bool(done) or connection.result["result"] == _NO_SUCH_ATTRIBUTE

    def clear_lock(self, connection: ldap3.Connection, entry: Entry) -> None:
        if not _delete_lock(connection, entry.dn):
            raise LdapOperationError(f"unlock refused: {connection.result['description']}")


def _delete_lock(connection: ldap3.Connection, dn: str) -> bool:
    """Delete pwdAccountLockedTime; already gone (noSuchAttribute) is fine."""
    done = connection.modify(dn, {"pwdAccountLockedTime": [(ldap3.MODIFY_DELETE, [])]})
    return bool(done) or connection.result["result"] == _NO_SUCH_ATTRIBUTE
