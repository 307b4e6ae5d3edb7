"""(k) Breached-password lookup: a Pwned Passwords SHA-1 file binary-searched on disk (core.secrets.breached).

Generates a sorted file of `lines` random `HASH:COUNT` lines (1M by default, about 46 MB: the real file is
~900M lines and ~40 GB, so about 10 more seeks per lookup), then times lookups of hashes in the file and of
hashes not in it, with the page cache warm (the steady state of a server), and the peak Python memory a lookup
takes. Also the whole policy check (shipped list + file + zxcvbn) for scale.

Run from the project root: `python -m bench.breached [--lines N] [--lookups N]`.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.web_common import percentile
from core.secrets.breached import BreachedPasswords, PwnedPasswordsFile
from core.secrets.password_policy import PasswordPolicy

__all__ = ["BreachedFigures", "bench_breached", "main"]


@dataclass(frozen=True)
class BreachedFigures:
    lines: int
    file_mb: float
    found_median_us: float
    found_p99_us: float
    absent_median_us: float
    absent_p99_us: float
    peak_kib: float
    policy_median_ms: float
    lookups: int

    @property
    def seeks(self) -> int:
        return math.ceil(math.log2(self.file_mb * 1e6)) + 1


def _write(path: Path, lines: int) -> list[str]:
    hashes = sorted(os.urandom(20).hex().upper() for _ in range(lines))
    with path.open("w", encoding="ascii") as out:
        for number, digest in enumerate(hashes):
            out.write(f"{digest}:{number % 997 + 1}\n")
    return hashes


def _time_us(lookup: PwnedPasswordsFile, digests: Sequence[str], expected: bool) -> list[float]:
    samples = []
    for digest in digests:
        t0 = time.perf_counter_ns()
        found = lookup.contains_sha1(digest)
        samples.append((time.perf_counter_ns() - t0) / 1000)
        if found is not expected:
            raise RuntimeError(f"lookup of {digest} gave {found}")
    return sorted(samples)


def bench_breached(lines: int = 1_000_000, lookups: int = 2_000) -> BreachedFigures:
    with tempfile.TemporaryDirectory(prefix="resetdesk-bench-") as folder:
        path = Path(folder) / "pwned.txt"
        hashes = _write(path, lines)
        lookup = PwnedPasswordsFile(path)
        step = max(1, lines // lookups)
        present = hashes[::step][:lookups]
        known = set(hashes)
        absent = [d for d in (os.urandom(20).hex().upper() for _ in range(lookups)) if d not in known]
        _time_us(lookup, present[:100], True)  # warm the page cache, as a running server has it
        found, missing = _time_us(lookup, present, True), _time_us(lookup, absent, False)
        tracemalloc.start()
        lookup.contains_sha1(present[len(present) // 2])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        policy = PasswordPolicy(breached=BreachedPasswords(path))
        checks = []
        for number in range(50):
            t0 = time.perf_counter_ns()
            policy.check(f"violet lantern harbour {number}")
            checks.append((time.perf_counter_ns() - t0) / 1e6)
        size = path.stat().st_size
    return BreachedFigures(
        lines=lines,
        file_mb=size / 1e6,
        found_median_us=statistics.median(found),
        found_p99_us=percentile(found, 0.99),
        absent_median_us=statistics.median(missing),
        absent_p99_us=percentile(missing, 0.99),
        peak_kib=peak / 1024,
        policy_median_ms=statistics.median(checks),
        lookups=len(found) + len(missing),
    )


def print_figures(row: BreachedFigures, out: Any = sys.stdout) -> None:
    print(
        f"(k) breached-password lookup, Pwned Passwords SHA-1 file on disk ({row.lines:,} lines, {row.file_mb:.0f} MB)",
        file=out,
    )
    print(
        f"    in the file: median {row.found_median_us:.0f} µs, p99 {row.found_p99_us:.0f} µs; "
        f"not in it: median {row.absent_median_us:.0f} µs, p99 {row.absent_p99_us:.0f} µs "
        f"({row.lookups} lookups, ~{row.seeks} seeks each, page cache warm)",
        file=out,
    )
    print(
        f"    peak memory of one lookup {row.peak_kib:.0f} KiB (the file is never loaded); whole policy check "
        f"(shipped list + file + zxcvbn) median {row.policy_median_ms:.1f} ms",
        file=out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args(argv)
    print_figures(bench_breached(args.lines, args.lookups))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
