"""(i) Hashing: argon2id cost per hash at the configured parameters (Settings' defaults: OWASP's m=19456 KiB,
t=2, p=1), and complete resets per second on one core.

One `complete_reset` = find the link, zxcvbn policy check, the password-history check (argon2 verify of the
current hash and each kept old hash, up to the last 5), one argon2 hash of the new password, revoking codes
and links, notifying every contact (outbox email and SMS) and auditing. Accounts here have a full history
(current password + 4 old ones), the steady state of a long-lived account: 5 verifies + 1 hash per reset.

Run from the project root: `python -m bench.hashing [--hashes N] [--resets N]`.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.web_common import close_core, core_for, percentile
from core.directory.sql import EmployeeRecord
from core.secrets.hashing import SlowHasher
from core.types import ResetStatus

__all__ = ["HashingFigures", "bench_hashing", "main"]


@dataclass(frozen=True)
class HashingFigures:
    parameters: str
    hash_median_ms: float
    hash_p99_ms: float
    verify_median_ms: float
    reset_median_ms: float
    reset_p99_ms: float
    resets: int

    @property
    def resets_per_s(self) -> float:
        return 1000 / self.reset_median_ms


def _password() -> str:
    return "violet lantern " + secrets.token_urlsafe(12)  # zxcvbn score 4, no personal words


def bench_hashing(hashes: int = 30, resets: int = 20) -> HashingFigures:
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        core = core_for(f"sqlite:///{Path(folder) / 'hash.db'}")
        settings = core.settings
        try:
            hasher = SlowHasher(
                memory_kib=settings.argon2_memory_kib,
                time_cost=settings.argon2_time_cost,
                parallelism=settings.argon2_parallelism,
            )
            hasher.hash("warm-up")
            hash_ns, verify_ns = [], []
            stored = hasher.hash("correct horse battery staple")
            for _ in range(hashes):
                t0 = time.perf_counter_ns()
                hasher.hash("correct horse battery staple")
                t1 = time.perf_counter_ns()
                hasher.verify(stored, "correct horse battery staple")
                t2 = time.perf_counter_ns()
                hash_ns.append(t1 - t0)
                verify_ns.append(t2 - t1)
            account_ids = []
            for number in range(resets + 1):
                eid = f"H{number:05d}"
                core.directory.upsert(
                    EmployeeRecord(eid, eid.lower(), "Hash Bench", f"{eid.lower()}@example.com", "+15555550101")
                )
                account = core.directory.find(eid)
                assert account is not None
                for _ in range(settings.password_history):  # current + 4 old ones
                    core.directory.set_password(account.id, _password())
                account_ids.append(account.id)
            reset_ns = []
            for index, account_id in enumerate(account_ids):
                with core.database.transaction() as session:
                    url, _ = core.recovery.deps.links.issue(
                        session, account_id=account_id, recovery_id=None, now=core.clock.now()
                    )
                token = url.rsplit("/", 1)[1]
                password = _password()
                t0 = time.perf_counter_ns()
                outcome = core.recovery.complete_reset(token, password, password)
                t1 = time.perf_counter_ns()
                if outcome.status is not ResetStatus.DONE:
                    raise RuntimeError(f"reset did not complete: {outcome}")
                if index:  # the first one warms up
                    reset_ns.append(t1 - t0)
        finally:
            close_core(core)
    hashed = sorted(hash_ns)
    reset = sorted(reset_ns)
    return HashingFigures(
        parameters=(
            f"argon2id m={settings.argon2_memory_kib} KiB, t={settings.argon2_time_cost}, "
            f"p={settings.argon2_parallelism}"
        ),
        hash_median_ms=statistics.median(hashed) / 1e6,
        hash_p99_ms=percentile(hashed, 0.99) / 1e6,
        verify_median_ms=statistics.median(verify_ns) / 1e6,
        reset_median_ms=statistics.median(reset) / 1e6,
        reset_p99_ms=percentile(reset, 0.99) / 1e6,
        resets=len(reset),
    )


def print_figures(row: HashingFigures, out: Any = sys.stdout) -> None:
    print(f"(i) hashing, {row.parameters} (the configured defaults)", file=out)
    print(
        f"    one hash: median {row.hash_median_ms:.1f} ms, p99 {row.hash_p99_ms:.1f} ms; "
        f"one verify: median {row.verify_median_ms:.1f} ms",
        file=out,
    )
    print(
        f"    complete_reset (5 verifies + 1 hash + policy + notify): median {row.reset_median_ms:.0f} ms, "
        f"p99 {row.reset_p99_ms:.0f} ms over {row.resets} resets -> {row.resets_per_s:.1f} resets/s per core",
        file=out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hashes", type=int, default=30)
    parser.add_argument("--resets", type=int, default=20)
    args = parser.parse_args(argv)
    print_figures(bench_hashing(args.hashes, args.resets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
