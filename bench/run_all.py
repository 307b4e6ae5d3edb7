"""Run every benchmark and print one table: `make bench` (or `python -m bench.run_all [--scale S]`).

Figures are per turn of the scripted 5-turn email-code conversation in bench.common.SCRIPT.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence

from bench import engine_turn, ptb_turn
from bench.common import Figures, print_table, print_turns

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of conversations")
    parser.add_argument("--steps", action="store_true", help="also print the median time of each turn")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}; one run, timings per turn")
    rows: list[Figures] = engine_turn.run(["a", "b", "c"], args.scale)
    ptb = ptb_turn.bench_ptb(max(1, int(2000 * args.scale)), max(1, int(200 * args.scale)))
    if ptb is not None:
        rows.append(ptb)
    print_table(rows)
    if args.steps:
        print_turns(rows)
    missed = [row.name for row in rows if row.verdict == "MISSED"]
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
