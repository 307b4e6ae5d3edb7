"""Where a code went, masked as Entra and Okta show it: "a•••@example.com", or a phone's last two digits.

An identifier that matches nobody (or an account without that contact) gets a decoy of the same shape, drawn
from a keyed hash of the recovery's subject (itself a keyed hash of the casefolded identifier): the same on
every try, different between identifiers, and unguessable without the secret key. Its email domain is the
configured one, else the company's most common one, else the public URL's domain.
"""

from __future__ import annotations

import string
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.directory.port import Account
from core.secrets.hashing import KeyedHasher
from core.storage.models import Account as AccountRow
from core.types import Method

__all__ = ["MASK", "Destinations", "mask_email", "phone_ending"]

MASK = "•••"
_DOMAIN_CACHE = timedelta(minutes=10)  # the most common domain barely changes; one query per ten minutes
_TOP_DOMAINS = (
    select(func.lower(AccountRow.email))
    .where(AccountRow.email.is_not(None), AccountRow.email.contains("@"))
    .limit(5000)
)


def mask_email(address: str) -> str:
    local, _, domain = address.strip().rpartition("@")
    return f"{(local or '?')[0]}{MASK}@{domain}"


def phone_ending(phone: str) -> str:
    digits = [ch for ch in phone if ch.isdigit()]
    return "".join(digits[-2:]).rjust(2, "0")


class Destinations:
    def __init__(self, keyed: KeyedHasher, clock: Clock, *, public_url: str, domain: str | None = None) -> None:
        self._keyed = keyed
        self._clock = clock
        self._configured = domain
        self._fallback = _domain_of(public_url)
        self._cached: tuple[str, datetime] | None = None

    def masked(self, session: Session, method: Method, account: Account | None, subject: str) -> str:
        """The masked contact `method` uses for `account`, or the decoy for `subject` when there is none."""
        decoy = self._decoy(session, method, subject)  # made either way: a known account costs the same
        real = (account.email if method is Method.EMAIL else account.phone) if account else None
        if not real:
            return decoy
        return mask_email(real) if method is Method.EMAIL else phone_ending(real)

    def _decoy(self, session: Session, method: Method, subject: str) -> str:
        coins = bytes.fromhex(self._keyed.digest(subject, purpose="decoy-destination"))
        if method is Method.EMAIL:
            return f"{string.ascii_lowercase[coins[0] % 26]}{MASK}@{self._domain(session)}"
        return f"{coins[1] % 10}{coins[2] % 10}"

    def _domain(self, session: Session) -> str:
        if self._configured:
            return self._configured
        now = self._clock.now()
        if self._cached is None or self._cached[1] <= now:
            counts = Counter(email.rpartition("@")[2] for email in session.scalars(_TOP_DOMAINS) if email)
            top = counts.most_common(1)
            self._cached = (top[0][0] if top else self._fallback, now + _DOMAIN_CACHE)
        return self._cached[0]


def _domain_of(url: str) -> str:
    """The company's domain as its public URL suggests: reset.example.com -> example.com."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or host == "localhost":
        return "example.com"
    return ".".join(labels[-2:]) if len(labels) > 2 else host
