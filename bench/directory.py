"""(j) Directory: lookup and reset latency against a local slapd (OpenLDAP with ppolicy, StartTLS on loopback).

Starts the same slapd the tests use (Debian's `slapd`, config built with slapadd into a temp folder), then
times through the OpenLDAP backend: a lookup of a known employee ID, of an unknown one (their difference is
what an enumeration attempt could see), and a reset (password-modify with the ppolicy control).
Target: lookup median at most 2 ms on loopback.

Run from the project root: `python -m bench.directory [--lookups N] [--resets N]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from core.delivery.breaker import CircuitBreaker
from core.directory.keys import AccountKeys
from core.directory.ldap import OpenLdapDirectory
from core.directory.ldap_config import DEFAULTS, LdapConfig
from tests.support import FakeClock, migrated_sqlite
from tests.support.slapd import BASE_DN, SERVICE_DN, SERVICE_PASSWORD, running_slapd

__all__ = ["main"]

TARGET_LOOKUP_MS = 2.0


def _median_ms(action: Callable[[int], object], count: int) -> float:
    timings = []
    for index in range(count):
        started = time.perf_counter()
        action(index)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--resets", type=int, default=100)
    args = parser.parse_args(argv)
    if shutil.which("slapd") is None:
        print("(j) directory: skipped, slapd is not installed (apt-get install slapd ldap-utils)")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with running_slapd(root / "slapd") as server, migrated_sqlite(root / "bench.db") as database:
            user_filter, ids, name, email, mobile = DEFAULTS["ldap"]
            config = LdapConfig(
                kind="ldap", url=server.url, bind_dn=SERVICE_DN, bind_password=SERVICE_PASSWORD, base_dn=BASE_DN,
                ca_file=str(server.ca_file), user_filter=user_filter, id_attributes=tuple(ids.split(",")),
                name_attribute=name, email_attribute=email, mobile_attribute=mobile,
            )  # fmt: skip
            clock = FakeClock()
            breaker = CircuitBreaker("directory", failure_threshold=3, cooldown_seconds=60, clock=clock)
            directory = OpenLdapDirectory(config, AccountKeys(database, clock, "ldap"), breaker)
            account = directory.find("E2001")
            assert account is not None
            known = _median_ms(lambda _: directory.find("E2001"), args.lookups)
            unknown = _median_ms(lambda i: directory.find(f"E9{i:05d}"), args.lookups)
            reset = _median_ms(
                lambda i: directory.set_password(account.id, f"bench lantern river {i:06d} quietly"), args.resets
            )
            directory.close()
    print("(j) directory: OpenLDAP (slapd, ppolicy) over StartTLS on loopback, pooled service binds")
    print(f"    lookup, known employee ID     median {known:6.2f} ms   (target <= {TARGET_LOOKUP_MS:.0f} ms)")
    print(f"    lookup, unknown employee ID   median {unknown:6.2f} ms   (difference {abs(known - unknown):.2f} ms)")
    print(f"    reset (password-modify)       median {reset:6.2f} ms")
    if known > TARGET_LOOKUP_MS:
        print("targets missed: (j) directory lookup median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
