"""What the OpenLDAP and Active Directory backends share: settings, TLS connections, lookups, the breaker.

A subclass (core.directory.ldap, core.directory.ad) says how its kind keys people (entryUUID, objectGUID),
shows a lock, changes a password and unlocks. Typed values are escaped in filters; one search per identifier
looks in the mapped attributes (and email or mobile, core.directory.contacts) at once; service-account
connections are pooled. An unreachable, slow or bind-refusing directory raises DirectoryUnavailable."""

from __future__ import annotations

import contextlib
import math
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from core.delivery.breaker import CircuitBreaker
from core.delivery.ports import DeliveryError
from core.directory.contacts import ldap_contact_filter, phone_digits, phones_match
from core.directory.keys import AccountKeys
from core.directory.ldap_config import LdapConfig
from core.directory.port import Account, DirectoryUnavailable

__all__ = ["Entry", "LdapDirectoryBase", "LdapOperationError"]

T = TypeVar("T")
_POOL_SIZE = 8
_NOBODY = "00000000-0000-0000-0000-000000000000"
_SEARCH_OK = (0, 4)  # success, sizeLimitExceeded


class LdapOperationError(Exception):
    """The directory answered but would not do what was asked (not a policy refusal); nothing was reported done."""


@dataclass(frozen=True)
class Entry:
    """One person as the directory returned them."""

    dn: str
    attributes: dict[str, Any]
    raw: dict[str, list[bytes]]

    def first(self, name: str) -> str | None:
        value = self.attributes.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value) if value not in (None, "") else None

    def values(self, name: str) -> list[Any]:
        value = self.attributes.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])


class LdapDirectoryBase:
    """The DirectoryBackend for LDAP directories; subclasses fill in their kind's differences."""

    STABLE_ATTRIBUTE: ClassVar[str]
    LOCK_ATTRIBUTE: ClassVar[str]

    def __init__(self, config: LdapConfig, keys: AccountKeys, breaker: CircuitBreaker) -> None:
        self.config = config
        self._keys = keys
        self.breaker = breaker
        self._pool: list[ldap3.Connection] = []
        self._pool_lock = threading.Lock()
        tls = None
        if config.url.startswith("ldaps://") or not config.allow_plaintext:
            tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file)
        self._server = ldap3.Server(
            config.url, use_ssl=config.url.startswith("ldaps://"), tls=tls, connect_timeout=config.timeout,
            get_info=ldap3.NONE,
        )  # fmt: skip
        self._attributes = sorted(
            {*config.id_attributes, config.name_attribute, config.email_attribute, config.mobile_attribute,
             self.STABLE_ATTRIBUTE, self.LOCK_ATTRIBUTE}
        )  # fmt: skip

    # -- what a kind decides -------------------------------------------------------------------------

    def stable_id(self, entry: Entry) -> str | None:
        raise NotImplementedError

    def stable_filter(self, stable_id: str) -> str:
        raise NotImplementedError

    def is_locked(self, entry: Entry) -> bool:
        raise NotImplementedError

    def change_password(self, connection: ldap3.Connection, entry: Entry, password: str) -> None:
        """Set the password (raising PasswordRefused or LdapOperationError), clear the lock, force change."""
        raise NotImplementedError

    def clear_lock(self, connection: ldap3.Connection, entry: Entry) -> None:
        raise NotImplementedError

    # -- DirectoryBackend ------------------------------------------------------------------------------

    def find(self, identifier: str) -> Account | None:
        typed = identifier.strip()
        alternatives = [f"({attribute}={escape_filter_chars(typed)})" for attribute in self.config.id_attributes]
        contact = ldap_contact_filter(typed, self.config.email_attribute, self.config.mobile_attribute)
        entries = self._search(f"(&{self.config.user_filter}(|{''.join(alternatives)}{contact}))")
        wanted, ids, mobile = typed.casefold(), self.config.id_attributes, self.config.mobile_attribute

        def rank(entry: Entry) -> int:  # an employee-ID match wins over a username, then an email or phone
            for position, attribute in enumerate(ids):
                if any(str(v).casefold() == wanted for v in entry.values(attribute)):
                    return position
            return len(ids) + (phone_digits(typed) is not None and not phones_match(typed, entry.first(mobile)))

        entries = sorted((e for e in entries if rank(e) <= len(ids)), key=rank)
        if len(entries) > 1 and rank(entries[0]) == rank(entries[1]):
            return None  # two people answer to the same thing: reset neither
        return self._account(entries[0]) if entries else None

    def find_by_email(self, email: str) -> Account | None:
        value = escape_filter_chars(email.strip())
        entries = self._search(f"(&{self.config.user_filter}({self.config.email_attribute}={value}))")
        return self._account(entries[0]) if len(entries) == 1 else None

    def get(self, account_id: int) -> Account | None:
        entry = self._entry(account_id)
        return self._account(entry) if entry else None

    def verify_password(self, account_id: int, password: str) -> bool:
        entry = self._entry(account_id)
        if entry is None or not password:  # an empty password would be an unauthenticated bind that "works"
            return False

        def bind() -> bool:
            connection = self._open(entry.dn, password)
            try:
                return bool(connection.bind())
            finally:
                connection.unbind()

        return self._guarded(bind)

    def is_recent_password(self, account_id: int, password: str, depth: int) -> bool:
        return False  # the directory keeps the history and refuses a recent one itself (PasswordRefused)

    def set_password(self, account_id: int, password: str) -> None:
        entry = self._entry(account_id)
        if entry is None:
            raise LdapOperationError("the person is no longer in the directory")
        self._with_service(lambda connection: self.change_password(connection, entry, password))

    def unlock(self, account_id: int) -> None:
        entry = self._entry(account_id)
        if entry is None:
            raise LdapOperationError("the person is no longer in the directory")
        if self.is_locked(entry):
            self._with_service(lambda connection: self.clear_lock(connection, entry))

    def check_connection(self) -> None:
        """For check-directory: connect and bind as the service account, or raise DirectoryUnavailable."""
        self._with_service(lambda connection: None)

    def close(self) -> None:
        """Unbind the pooled connections (at shutdown, and between tests)."""
        with self._pool_lock:
            idle, self._pool = self._pool, []
        for connection in idle:
            _close(connection)

    # -- helpers ------------------------------------------------------------------------------------------

    def _account(self, entry: Entry) -> Account | None:
        stable_id = self.stable_id(entry)
        if stable_id is None:
            return None
        ids = self.config.id_attributes
        username = entry.first(ids[1]) if len(ids) > 1 else None
        return Account(
            id=self._keys.id_for(stable_id),
            employee_id=entry.first(ids[0]) or username or "",
            username=username,
            full_name=entry.first(self.config.name_attribute) or "",
            email=entry.first(self.config.email_attribute),
            phone=entry.first(self.config.mobile_attribute),
            locked=self.is_locked(entry),
        )

    def _entry(self, account_id: int) -> Entry | None:
        stable_id = self._keys.stable_id_of(account_id)
        # Unknown (recovery asks for id 0): search for nobody anyway, so both cost the same round trip.
        wanted = self.stable_filter(stable_id or _NOBODY)
        entries = self._search(f"(&{self.config.user_filter}{wanted})")
        return entries[0] if stable_id is not None and len(entries) == 1 else None

    def _search(self, search_filter: str) -> list[Entry]:
        def search(connection: ldap3.Connection) -> list[Entry]:
            connection.search(self.config.base_dn, search_filter, attributes=self._attributes, size_limit=5)
            if connection.result["result"] not in _SEARCH_OK:
                raise DirectoryUnavailable(f"search failed: {connection.result['description']}")
            return [
                Entry(r["dn"], dict(r["attributes"]), dict(r["raw_attributes"]))
                for r in connection.response or ()
                if r.get("type") == "searchResEntry"
            ]

        return self._with_service(search)

    def _open(self, user: str, password: str) -> ldap3.Connection:
        # ldap3 skips an address for 5 s after a failure; our breaker already decides when to retry.
        self._server.reset_availability()
        connection = ldap3.Connection(
            self._server, user=user, password=password, receive_timeout=max(1, math.ceil(self.config.timeout)),
            raise_exceptions=False, auto_referrals=False,
        )  # fmt: skip
        try:
            connection.open()
            starttls = self.config.url.startswith("ldap://") and not self.config.allow_plaintext
            if starttls and not connection.start_tls():
                raise DirectoryUnavailable("TLS failed: the directory refused StartTLS")
        except BaseException:
            _close(connection)
            raise
        return connection

    def _open_service(self) -> ldap3.Connection:
        connection = self._open(self.config.bind_dn, self.config.bind_password)
        if not connection.bind():
            reason = connection.result.get("description", "refused")
            connection.unbind()
            raise DirectoryUnavailable(f"the directory refused ResetDesk's bind ({reason})")
        return connection

    def _with_service(self, action: Callable[[ldap3.Connection], T]) -> T:
        """Run `action` on a pooled service connection; a stale pooled one is replaced once."""

        def attempt() -> T:
            with self._pool_lock:
                pooled = self._pool.pop() if self._pool else None
            for connection in ([pooled] if pooled else []) + [None]:
                fresh = connection is None
                try:
                    connection = connection or self._open_service()
                    result = action(connection)
                except (LDAPException, OSError) as exc:
                    if connection is not None:
                        _close(connection)
                    if fresh:
                        raise DirectoryUnavailable(_reason(exc)) from exc
                    continue
                except BaseException:
                    if connection is not None:
                        _close(connection)
                    raise
                with self._pool_lock:
                    if len(self._pool) < _POOL_SIZE:
                        self._pool.append(connection)
                        connection = None
                if connection is not None:
                    _close(connection)
                return result
            raise AssertionError("unreachable")

        return self._guarded(attempt)

    def _guarded(self, fn: Callable[[], T]) -> T:
        """Through the breaker: DirectoryUnavailable counts as a failure; while open, fail at once."""

        def call() -> T:
            try:
                return fn()
            except DirectoryUnavailable as exc:
                raise DeliveryError("directory", str(exc)) from exc
            except (LDAPException, OSError) as exc:
                raise DeliveryError("directory", _reason(exc)) from exc

        try:
            return self.breaker.call(call)
        except DeliveryError as exc:
            raise DirectoryUnavailable(exc.reason) from exc


def _reason(exc: BaseException) -> str:
    """Plain words for an operator; never the bind password."""
    chain = f"{type(exc).__name__} {exc} {exc.__cause__ or ''}"
    if "TLS" in chain or "SSL" in chain or "certificate" in chain.lower():
        return f"TLS failed: certificate not trusted or TLS not offered ({type(exc).__name__})"
    if "timed out" in chain.lower() or "timeout" in chain.lower():
        return f"the directory timed out ({type(exc).__name__})"
    return f"the directory is unreachable ({type(exc).__name__})"


def _close(connection: ldap3.Connection) -> None:
    with contextlib.suppress(LDAPException, OSError):
        connection.unbind()
    sock = getattr(connection, "socket", None)  # ldap3 leaves it open when connecting failed
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()
