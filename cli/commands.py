"""The commands: one function each, taking the wired Core and the parsed arguments, returning the exit status.
To add one, write its function (and, if it takes arguments, a function adding them) and list it in COMMANDS."""

from __future__ import annotations

import argparse
import codecs
import getpass
import io
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import Core, build_delivery_worker, build_engine, create_app, ticket_alerts, wiring
from cli import enrollment
from cli.audit_export import audit_export, audit_export_arguments
from cli.serve import configured_address, listen, run, run_arguments
from core.directory.sql import SqlDirectory
from core.settings import Settings

__all__ = ["COMMANDS", "DEMO_AGENT", "Command"]

# Demo data only: printed by `demo-data` so the console can be tried. Real agents come from create-agent.
DEMO_AGENT = ("demo-agent", "demo agent password")


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[Core, argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
    # Before the Core is built: where links point when RESETDESK_PUBLIC_URL is unset (run: where it listens).
    prepare: Callable[[Settings, argparse.Namespace], Settings] = configured_address


def chat(core: Core, args: argparse.Namespace) -> int:
    from bot.history import ChatHistory
    from bot.terminal import TERMINAL, run_terminal_chat
    from core.delivery.outbox import Outbox

    core.recovery.ticket_alerts[:] = ticket_alerts(core, None)
    engine = build_engine(core)
    user_id = args.user or f"terminal-{secrets.token_hex(4)}"
    outbox = Outbox(core.database, core.clock) if core.settings.demo_enabled else None
    # The terminal shows outbox messages after each turn, so it delivers them right then.
    after_turn = build_delivery_worker(core, engine).drain
    inbox = ChatHistory(core.database, core.clock, TERMINAL)  # what other processes push: the reset page's "done"
    return run_terminal_chat(engine, outbox, user_id=user_id, after_turn=after_turn, inbox=inbox, lang=args.lang)


def worker(core: Core, args: argparse.Namespace) -> int:
    """Send queued deliveries until SIGTERM or Ctrl-C (which let the job in hand finish), or once with --once."""
    import logging
    import signal

    delivery = wiring(create_app(core=core)).delivery  # with the channels, so a failure reaches its conversation
    if args.once:
        print(f"delivered or retried {delivery.drain()} message(s)")
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: delivery.stop(timeout=0))
    log = logging.getLogger("resetdesk")
    log.info("delivery worker started (poll every %ss)", core.settings.delivery_poll_seconds)
    delivery.run_forever()
    log.info("delivery worker stopped")
    return 0


def _worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="send what is due now, then exit")


def _chat_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", help="continue the conversation of this user id (default: a new conversation)")
    parser.add_argument("--lang", help="speak this language (en, es, de...; default RESETDESK_DEFAULT_LANGUAGE)")


def import_employees(core: Core, args: argparse.Namespace) -> int:
    from core.directory.importer import ImportFileError, format_report
    from core.directory.importer import import_employees as import_rows

    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    # Decode the whole file before importing anything: decoding while reading would import the rows
    # before a bad byte (e.g. a Windows-1252 export) and then stop half-way.
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path} ({exc.strerror})", file=sys.stderr)
        return 2
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"line {line} is not UTF-8 text (save the file as CSV UTF-8); nothing was imported"
        print(f"error: {reason}", file=sys.stderr)
        return 2
    if not isinstance(core.directory, SqlDirectory):
        print("error: import-employees fills the embedded directory (RESETDESK_DIRECTORY=sql)", file=sys.stderr)
        return 2
    try:
        report = import_rows(core.directory, core.answers, io.StringIO(text, newline=""))
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 1 if report.rejected else 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")


def create_agent(core: Core, args: argparse.Namespace) -> int:
    # The password comes from a prompt, or from stdin when piped (never from the command line, which
    # other users of the machine can see in the process list).
    password = getpass.getpass("Password for the agent: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        agent = core.support.create_agent(args.username, args.name or args.username, password, admin=args.admin)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    role = " (admin: the reports page too)" if agent.admin else ""
    print(f"Agent {agent.username} created{role}; sign in at {core.settings.public_url}/agent")
    if core.settings.agent_mfa_mode != "off":
        from core.support.access import build_agent_access

        # Shown once, to the admin handing it over; the stored copy is sealed.
        access = build_agent_access(core.settings, core.database, core.clock, core.support)
        enrollment = access.two_factor.enroll(agent.id, confirmed=True)
        print("Two-factor key (add it to the agent's authenticator app; it is not shown again):")
        print(f"  {enrollment.secret}\n  {enrollment.uri}")
    return 0


def _agent_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username")
    parser.add_argument("--name", help="display name shown to colleagues")
    parser.add_argument("--admin", action="store_true", help="the admin role: the reports page (/agent/reports)")


def demo_data(core: Core, args: argparse.Namespace) -> int:
    from core.directory.demo import format_demo, load_demo_data

    if not isinstance(core.directory, SqlDirectory):
        print("error: demo-data fills the embedded directory (RESETDESK_DIRECTORY=sql)", file=sys.stderr)
        return 2
    print(format_demo(load_demo_data(core.directory, core.answers)))
    if core.support.authenticate(DEMO_AGENT[0], DEMO_AGENT[1]) is None:
        try:
            core.support.create_agent(DEMO_AGENT[0], "Demo Agent", DEMO_AGENT[1], admin=True)
        except ValueError:
            print(f"(agent {DEMO_AGENT[0]!r} exists with another password; left as it is)")
            return 0
    else:  # a demo database from before the admin role: the demo agent sees the reports page too
        from core.support.access import grant_admin

        grant_admin(core.database, core.clock, DEMO_AGENT[0])
    console = f"{core.settings.public_url}/agent"
    print(f"\nSupport console: {console}  (demo agent {DEMO_AGENT[0]!r}, password {DEMO_AGENT[1]!r})")
    print(f"Reports: {console}/reports  (the demo agent is an admin)")
    return 0


def purge(core: Core, args: argparse.Namespace) -> int:
    from core.storage.retention import format_counts, purge_expired

    settings = core.settings
    print(format_counts(purge_expired(settings, core.database, core.clock)))
    print(f"(chats, tickets and recoveries older than {settings.retention_days} days; audit older than "
          f"{settings.audit_retention_days} days; open tickets kept)")  # fmt: skip
    return 0


def check_directory(core: Core, args: argparse.Namespace) -> int:
    from core.directory.check import check_directory as check

    code, report = check(core.directory, args.identifier)
    print(report, file=sys.stdout if code == 0 else sys.stderr)
    return code


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("identifier", nargs="?", help="an employee ID or username to look up (changes nothing)")


COMMANDS = (
    Command("run", "serve the web app (and channels that are configured)", run, run_arguments, listen),
    Command("chat", "talk to ResetDesk in this terminal", chat, _chat_arguments),
    Command("worker", "send queued emails and SMS (run one or more in production)", worker, _worker_arguments),
    Command("import-employees", "import or update employees from a CSV file", import_employees, _import_arguments),
    Command("create-agent", "add a support agent for the /agent console", create_agent, _agent_arguments),
    Command("demo-data", "load demo employees covering every case and list them", demo_data),
    Command("purge", "delete chats, tickets and audit events past their retention", purge),
    Command(
        "check-directory", "connect to the directory and show what ResetDesk sees", check_directory, _check_arguments
    ),
    Command(
        "nudge-enrollment",
        "message employees with fewer than 2 ways to verify them",
        enrollment.nudge_enrollment,
        enrollment.nudge_arguments,
    ),
    Command(
        "report",
        "print a report: `report enrollment` (coverage by method)",
        enrollment.report,
        enrollment.report_arguments,
    ),
    Command("audit-export", "export audit events as CSV or JSON Lines", audit_export, audit_export_arguments),
)
