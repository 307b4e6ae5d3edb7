"""`python app.py audit-export --since 2026-01-01 [--format csv|jsonl] [--output FILE]`: the audit trail for a
compliance reviewer (core/reports/export.py), streamed to stdout or a file."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from app import Core
from core.reports.export import iter_audit_export

__all__ = ["audit_export", "audit_export_arguments", "since_date"]


def since_date(text: str) -> datetime:
    """A UTC date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM): argparse's type for --since."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-01 (UTC)") from None


def audit_export(core: Core, args: argparse.Namespace) -> int:
    if args.output is None:
        try:
            _write(core, args, sys.stdout)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            sys.stderr.close()
        return 0
    target = Path(args.output)
    partial = target.with_name(target.name + ".partial")  # a failed export never leaves a truncated FILE
    try:
        with partial.open("w", encoding="utf-8", newline="") as sink:
            _write(core, args, sink)
        os.replace(partial, target)
    except OSError as exc:
        print(f"error: cannot write {target} ({exc.strerror})", file=sys.stderr)
        return 2
    finally:
        partial.unlink(missing_ok=True)  # gone by now unless the export failed
    print(f"audit events since {args.since:%Y-%m-%d %H:%M} UTC written to {target} ({args.format})", file=sys.stderr)
    return 0


def _write(core: Core, args: argparse.Namespace, sink: TextIO) -> None:
    for chunk in iter_audit_export(core.database, args.since, args.format):
        sink.write(chunk)
    sink.flush()


def audit_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", required=True, type=since_date, help="first day to export, YYYY-MM-DD (UTC)")
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv", help="csv (default) or jsonl")
    parser.add_argument("--output", help="write to this file instead of stdout")
