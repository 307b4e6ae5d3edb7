"""Run every benchmark and print its figures: `make bench` (or `python -m bench.run_all [--scale S]`).

(a)-(d) per turn of the scripted 5-turn email-code conversation in bench.common.SCRIPT (bench.engine_turn,
bench.ptb_turn); (e) the web turn in process (bench.web_turn); (f) over HTTP with gunicorn and (h) scale-out
on PostgreSQL (bench.web_http); (g) 1k vs 1M stored conversations and memory (bench.scale); (i) argon2id
and resets per second (bench.hashing); (k) breached-password lookups in a Pwned Passwords file (bench.breached);
(l) the streamed audit export of 1M rows (bench.audit_export).
`--scale 0.01` is a quick run; the full run takes several minutes.
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence

from bench import audit_export, breached, engine_turn, hashing, ptb_turn, scale, web_http, web_turn
from bench.common import Figures, print_table, print_turns

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the number of conversations")
    parser.add_argument("--steps", action="store_true", help="also print the median time of each turn")
    parser.add_argument("--seconds", type=float, default=10, help="length of each HTTP load run")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks to leave out, e.g. f,h")
    args = parser.parse_args(argv)
    skip = {key.strip() for key in args.skip.split(",") if key.strip()}
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}; one run, timings per turn")
    rows: list[Figures] = engine_turn.run(["a", "b", "c"], args.scale)
    ptb = ptb_turn.bench_ptb(max(1, int(2000 * args.scale)), max(1, int(200 * args.scale)))
    if ptb is not None:
        rows.append(ptb)
    print_table(rows)
    if args.steps:
        print_turns(rows)
    missed = [row.name for row in rows if row.verdict == "MISSED"]
    print()
    if "e" not in skip:
        web = web_turn.bench_web_turn(max(10, int(300 * args.scale)), max(2, int(30 * args.scale)))
        web_turn.print_figures(web)
        if web.verdict == "MISSED":
            missed.append("(e) web turn vs floor")
    conversations = max(200, int(1500 * args.scale))
    if "f" not in skip:
        http_rows = web_http.bench_http(args.seconds, conversations)
        web_http.print_http(http_rows)
        if http_rows[0].ok_per_s < web_http.TARGET_SHARE * http_rows[1].ok_per_s:
            missed.append("(f) HTTP throughput vs bare Flask")
    if "g" not in skip:
        latency = scale.bench_latency(
            accounts=max(1_000, int(100_000 * args.scale)), small=1_000, large=max(2_000, int(1_000_000 * args.scale))
        )
        scale.print_latency(latency)
        memory = scale.bench_memory(max(1_000, int(100_000 * args.scale)))
        scale.print_memory(memory)
        if latency.ratio > scale.TARGET_RATIO:
            missed.append("(g) latency at 1M conversations")
        if memory.growth_mb >= scale.TARGET_GROWTH_MB:
            missed.append("(g) memory growth")
    if "h" not in skip:
        web_http.print_rows(
            "(h) scale-out: chat API over HTTP on PostgreSQL, gunicorn sync workers",
            web_http.bench_scale_out(args.seconds, conversations),
        )
    if "i" not in skip:
        hashing.print_figures(hashing.bench_hashing(max(5, int(30 * args.scale)), max(5, int(20 * args.scale))))
    if "k" not in skip:
        breached.print_figures(breached.bench_breached(max(10_000, int(1_000_000 * args.scale))))
    if "l" not in skip:
        audit_export.print_figures(audit_export.bench_audit_export(max(10_000, int(1_000_000 * args.scale))))
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
