"""`python app.py <command>`: the command line, kept out of app.py so app.py stays the factory that wires parts.

A package of its own rather than part of app.py: commands grow (a worker, a purge), each is one function in
commands.py with its arguments beside it, and app.py stays under one screenful of wiring. Every command gets
the Core that app.build_core wires from the settings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import build_core
from cli.commands import COMMANDS
from core.logging_setup import configure_logging
from core.settings import SettingsError, load_settings

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="app.py", description="ResetDesk password-recovery assistant")
    subcommands = top.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        sub = subcommands.add_parser(command.name, help=command.help)
        command.arguments(sub)
        sub.set_defaults(handler=command.run, prepare=command.prepare)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(console=True)
    try:
        settings = args.prepare(load_settings(), args)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    core = build_core(settings)
    return int(args.handler(core, args))
