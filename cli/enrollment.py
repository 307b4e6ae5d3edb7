"""`python app.py nudge-enrollment` and `python app.py report enrollment`: enrollment coverage for operators.

Both read `Core.enrollment` (core/enrollment/coverage.py). Nudges go through the delivery queue: a worker
(`app.py worker`, or the one inside `app.py run`) sends them; `--deliver` sends them before exiting.
"""

from __future__ import annotations

import argparse

from app import Core, build_delivery_worker
from core.enrollment.types import Coverage, NudgeSummary

__all__ = ["format_coverage", "format_nudge", "nudge_enrollment", "report"]


def format_coverage(coverage: Coverage) -> str:
    total = coverage.employees
    lines = [f"Enrollment coverage: {total} employee(s)", "", "Usable ways to verify:"]
    for bucket in ("0", "1", "2", "3+"):
        count = coverage.by_count.get(bucket, 0)
        share = f"{100 * count / total:.0f}%" if total else "-"
        lines.append(f"  {bucket:>3} method(s)  {count:>6}  {share:>4}")
    lines += ["", "By method:"]
    names = {"sms": "mobile (SMS)", "email": "email", "questions": "security questions"}
    for method, name in names.items():
        own = coverage.self_enrolled.get(method)
        extra = f"  ({own} self-enrolled)" if own else ""
        lines.append(f"  {name:<20} {coverage.by_method.get(method, 0):>6}{extra}")
    return "\n".join(lines)


def format_nudge(summary: NudgeSummary, interval_days: int) -> str:
    return "\n".join(
        [
            f"Employees with fewer than 2 ways to verify: {summary.considered}",
            f"  nudged now: {summary.sent} ({summary.messages} message(s) queued, to their contacts on file)",
            f"  skipped, nudged in the last {interval_days} days: {summary.recently_nudged}",
            f"  no contact on file (enroll them through support): {summary.unreachable}",
            "(Not by Slack or Telegram: ResetDesk keeps no lasting link from an employee to a chat user.)",
        ]
    )


def nudge_enrollment(core: Core, args: argparse.Namespace) -> int:
    summary = core.enrollment.nudge()
    print(format_nudge(summary, core.settings.nudge_interval_days))
    if args.deliver:
        print(f"delivered or retried {build_delivery_worker(core).drain()} message(s)")
    return 0


def nudge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deliver", action="store_true", help="send the queued nudges now instead of by a worker")


def report(core: Core, args: argparse.Namespace) -> int:
    print(format_coverage(core.enrollment.coverage()))
    return 0


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("subject", choices=["enrollment"], help="what to report on")
