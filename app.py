"""ResetDesk: create_app(settings) and the command line. The one place that wires the parts together."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, jsonify
from pydantic import SecretStr
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.dedupe import EventLedger
from bot.delivery_notice import delivery_failure_notice
from bot.engine import Engine
from bot.store import SqlConversationStore
from channels.web import register_web
from core.clock import Clock, SystemClock
from core.delivery.alerts import EmailTicketAlert
from core.delivery.email import OutboxEmailSender, SmtpEmailSender
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.sms import OutboxSmsSender, TwilioSmsSender
from core.delivery.worker import DeliveryWorker
from core.directory.sql import SqlDirectory
from core.recovery.service import RecoveryService
from core.secrets.answers import AnswerStore
from core.secrets.hashing import SlowHasher
from core.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from core.storage.db import Database
from core.support.desk import SupportDesk
from core.types import Method
from dialogs.recovery import INITIAL

__all__ = ["Core", "build_core", "build_delivery_worker", "build_engine", "create_app", "main"]

log = logging.getLogger("resetdesk")

# Demo data only: printed by `demo-data` so the console can be tried. Real agents come from create-agent.
DEMO_AGENT = ("demo-agent", "demo agent password")


@dataclass(frozen=True)
class Core:
    """Everything below the bot layer, wired once per process."""

    settings: Settings
    database: Database
    clock: Clock
    directory: SqlDirectory
    answers: AnswerStore
    email: EmailSender
    sms: SmsSender
    recovery: RecoveryService
    support: SupportDesk


def _secret_key(settings: Settings) -> Settings:
    """Use RESETDESK_SECRET_KEY, or make one and keep it under instance/ so a demo works out of the box."""
    if settings.secret_key is not None:
        return settings
    key_file = PROJECT_ROOT / "instance" / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several workers starting at once, one writes the key and all read that one
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        log.warning("RESETDESK_SECRET_KEY is not set; generated one in %s (set it for production)", key_file)
    return settings.model_copy(update={"secret_key": SecretStr(key_file.read_text().strip())})


def _email_sender(settings: Settings, database: Database, clock: Clock) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpEmailSender(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        )
    return OutboxEmailSender(database, clock)


def _sms_sender(settings: Settings, database: Database, clock: Clock) -> SmsSender:
    if settings.sms_backend == "twilio":
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
        return TwilioSmsSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_from_number,
            api_url=settings.twilio_api_url,
            timeout=settings.sms_timeout_seconds,
        )
    return OutboxSmsSender(database, clock)


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    email: EmailSender | None = None,
    sms: SmsSender | None = None,
    migrate: bool = True,
) -> Core:
    settings = _secret_key(settings)
    clock = clock or SystemClock()
    database = Database(settings.database_url)
    if migrate:
        database.migrate()
    hasher = SlowHasher(
        memory_kib=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
    )
    directory = SqlDirectory(database, hasher, clock)
    answers = AnswerStore(database, hasher)
    email = email or _email_sender(settings, database, clock)
    sms = sms or _sms_sender(settings, database, clock)
    recovery = RecoveryService(
        settings, database, directory=directory, answers=answers, email=email, sms=sms, clock=clock
    )
    if settings.support_email and not (settings.slack_enabled and settings.support_slack_channel):
        recovery.ticket_alerts.append(
            EmailTicketAlert(
                email,
                recovery.breakers[Method.EMAIL],
                to=settings.support_email,
                console_url=f"{settings.public_url}/agent",
            )
        )
    support = SupportDesk(database, clock, hasher, directory)
    return Core(settings, database, clock, directory, answers, email, sms, recovery, support)


def build_engine(core: Core) -> Engine:
    store = SqlConversationStore(core.database, core.clock, initial_state=INITIAL)
    return Engine(core.recovery, store, core.clock)


def build_delivery_worker(core: Core, engine: Engine | None = None) -> DeliveryWorker:
    """The worker that sends queued codes; with an engine, a code that cannot be delivered is told to the
    person's conversation, which is offered another way."""
    breakers = {method.value: breaker for method, breaker in core.recovery.breakers.items()}
    worker = DeliveryWorker(
        core.recovery.deliveries,
        email=core.email,
        sms=core.sms,
        breakers=breakers,
        poll_seconds=core.settings.delivery_poll_seconds,
    )
    if engine is not None:
        worker.failure_listeners.append(delivery_failure_notice(engine))
    return worker


def create_app(settings: Settings | None = None, *, core: Core | None = None) -> Flask:
    core = core or build_core(settings or load_settings())
    engine = build_engine(core)
    app = Flask(__name__, static_folder=None)  # static files are the web blueprint's /static
    app.config["SECRET_KEY"] = core.settings.secret_key.get_secret_value() if core.settings.secret_key else None
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024
    app.extensions["resetdesk"] = core
    if core.settings.trusted_proxies:
        # Only the configured number of hops is believed; a client cannot pick its own address.
        hops = core.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.extensions["resetdesk.engine"] = engine
    register_web(
        app,
        engine=engine,
        service=core.recovery,
        database=core.database,
        directory=core.directory,
        clock=core.clock,
        support=core.support,
        demo=core.settings.demo_enabled,
    )

    # Chat platforms are on when their credentials are set. Each registers its routes and may add a
    # background starter (Slack Socket Mode, Telegram long polling) that `python app.py run` calls.
    # Deliveries: a thread of `app.py run`; production runs `app.py worker` processes instead.
    app.extensions["resetdesk.delivery"] = build_delivery_worker(core, engine)
    app.extensions["resetdesk.background"] = []
    ledger = EventLedger(core.database, core.clock)
    if core.settings.slack_enabled:
        from channels.slack import register_slack

        register_slack(
            app,
            engine=engine,
            settings=core.settings,
            directory=core.directory,
            ledger=ledger,
            ticket_alerts=core.recovery.ticket_alerts,
        )
    if core.settings.telegram_enabled:
        from channels.telegram import register_telegram

        register_telegram(app, engine=engine, settings=core.settings, ledger=ledger)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Response | tuple[Response, int]:
        try:
            with core.database.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            log.exception("readiness check: database unreachable")
            return jsonify(status="unavailable", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.name, message=error.description), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response, int]:
        log.exception("unhandled error (%s)", type(error).__name__)
        return jsonify(error="Internal Server Error", message="Something went wrong on our side."), 500

    return app


# -- command line ------------------------------------------------------------------------------------


def _cmd_run(core: Core, args: argparse.Namespace) -> int:
    app = create_app(core=core)
    app.extensions["resetdesk.delivery"].start()
    for start in app.extensions["resetdesk.background"]:
        start()
    print(f"ResetDesk on http://{args.host}:{args.port}  (public URL {core.settings.public_url})")
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


def _cmd_import(core: Core, args: argparse.Namespace) -> int:
    import codecs
    import io

    from core.directory.importer import ImportFileError, format_report, import_employees

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
    try:
        report = import_employees(core.directory, core.answers, io.StringIO(text, newline=""))
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 1 if report.rejected else 0


def _cmd_demo_data(core: Core, args: argparse.Namespace) -> int:
    from core.directory.demo import format_demo, load_demo_data

    print(format_demo(load_demo_data(core.directory, core.answers)))
    if core.support.authenticate(DEMO_AGENT[0], DEMO_AGENT[1]) is None:
        try:
            core.support.create_agent(DEMO_AGENT[0], "Demo Agent", DEMO_AGENT[1])
        except ValueError:
            print(f"(agent {DEMO_AGENT[0]!r} exists with another password; left as it is)")
            return 0
    console = f"{core.settings.public_url}/agent"
    print(f"\nSupport console: {console}  (demo agent {DEMO_AGENT[0]!r}, password {DEMO_AGENT[1]!r})")
    return 0


def _cmd_chat(core: Core, args: argparse.Namespace) -> int:
    from bot.terminal import run_terminal_chat

    engine = build_engine(core)
    user_id = args.user or f"terminal-{secrets.token_hex(4)}"
    demo_outbox = core.database if core.settings.demo_enabled else None
    # The terminal shows outbox messages after each turn, so it delivers them right then.
    after_turn = build_delivery_worker(core, engine).drain
    return run_terminal_chat(engine, demo_outbox, user_id=user_id, after_turn=after_turn)


def _cmd_worker(core: Core, args: argparse.Namespace) -> int:
    """Send queued deliveries until SIGTERM or Ctrl-C (which let the job in hand finish), or once with --once."""
    import signal

    app = create_app(core=core)  # registers the channels, so a failed delivery reaches its conversation
    worker: DeliveryWorker = app.extensions["resetdesk.delivery"]
    if args.once:
        print(f"delivered or retried {worker.drain()} message(s)")
        return 0
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop(timeout=0))
    log.info("delivery worker started (poll every %ss)", core.settings.delivery_poll_seconds)
    worker.run_forever()
    log.info("delivery worker stopped")
    return 0


def _cmd_create_agent(core: Core, args: argparse.Namespace) -> int:
    # The password comes from a prompt, or from stdin when piped (never from the command line, which
    # other users of the machine can see in the process list).
    password = getpass.getpass("Password for the agent: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        agent = core.support.create_agent(args.username, args.name or args.username, password)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Agent {agent.username} created; sign in at {core.settings.public_url}/agent")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="ResetDesk password-recovery assistant")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the web app (and channels that are configured)")
    run.add_argument("--host", default=os.environ.get("RESETDESK_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("RESETDESK_PORT", "5000")))
    run.set_defaults(handler=_cmd_run)
    chat = commands.add_parser("chat", help="talk to ResetDesk in this terminal")
    chat.add_argument("--user", help="continue the conversation of this user id (default: a new conversation)")
    chat.set_defaults(handler=_cmd_chat)
    worker = commands.add_parser("worker", help="send queued emails and SMS (run one or more in production)")
    worker.add_argument("--once", action="store_true", help="send what is due now, then exit")
    worker.set_defaults(handler=_cmd_worker)
    importer = commands.add_parser("import-employees", help="import or update employees from a CSV file")
    importer.add_argument("file")
    importer.set_defaults(handler=_cmd_import)
    agent = commands.add_parser("create-agent", help="add a support agent for the /agent console")
    agent.add_argument("username")
    agent.add_argument("--name", help="display name shown to colleagues")
    agent.set_defaults(handler=_cmd_create_agent)
    demo = commands.add_parser("demo-data", help="load demo employees covering every case and list them")
    demo.set_defaults(handler=_cmd_demo_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # transitions/alembic log every callback or migration step at INFO; httpx logs request URLs, and
    # Telegram's Bot API URLs hold the bot token.
    for chatty in ("transitions", "alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    core = build_core(settings)
    return int(args.handler(core, args))


if __name__ == "__main__":
    sys.exit(main())
