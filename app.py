"""ResetDesk: create_app(settings), the one place that wires the parts together. The command line is in cli/."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.dedupe import EventLedger
from bot.delivery_notice import delivery_failure_notice
from bot.engine import Engine
from bot.history import ChatHistory
from bot.relay import SupportRelay
from bot.store import SqlConversationStore
from bot.terminal import TERMINAL, terminal_inbox
from channels.contract import BackgroundStart, Channel
from channels.web import ChatLimits, EnrollParts, ResetPageOptions, WebChannel, WebOptions
from channels.web.chat_session import ChatSessions
from channels.web.health import register_health_and_errors
from channels.web.history import WebHistory
from core.clock import Clock, SystemClock
from core.delivery.alerts import EmailTicketAlert
from core.delivery.outbox import Outbox
from core.delivery.ports import EmailSender, SmsSender
from core.delivery.senders import email_sender_for, sms_sender_for
from core.delivery.worker import DeliveryWorker
from core.directory.port import DirectoryBackend
from core.directory.sql import SqlDirectory
from core.enrollment.handover import EnrollHandover
from core.enrollment.service import EnrollmentService
from core.logging_setup import configure_logging
from core.metrics import timed_directory
from core.recovery.service import RecoveryService
from core.reports.figures import Reports
from core.secrets.answers import AnswerStore
from core.secrets.hashing import SlowHasher
from core.secrets.keyfile import with_secret_key
from core.secrets.pseudonyms import Pseudonyms
from core.secrets.ratelimit import RateLimiter
from core.secrets.reset_sessions import ResetSessions
from core.settings import Settings, load_settings
from core.storage.db import Database
from core.storage.retention import purge_expired
from core.support.access import build_agent_access
from core.support.desk import SupportDesk
from core.types import Method, Requester, Ticket
from dialogs.recovery import INITIAL

__all__ = ["Core", "Wiring", "build_core", "build_delivery_worker", "build_engine", "create_app", "main",
           "ticket_alerts", "wiring"]  # fmt: skip

log = logging.getLogger("resetdesk")

C = TypeVar("C")
TicketAlert = Callable[[Ticket, Requester], None]


@dataclass(frozen=True)
class Core:
    """Everything below the bot layer, wired once per process."""

    settings: Settings
    database: Database
    clock: Clock
    directory: DirectoryBackend  # SqlDirectory, or LDAP/AD (RESETDESK_DIRECTORY)
    answers: AnswerStore
    email: EmailSender
    sms: SmsSender
    recovery: RecoveryService
    support: SupportDesk
    enrollment: EnrollmentService  # self-service enrollment (/enroll, the chat's "add a backup way")


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    email: EmailSender | None = None,
    sms: SmsSender | None = None,
    migrate: bool = True,
) -> Core:
    settings = with_secret_key(settings)
    clock = clock or SystemClock()
    database = Database(settings.database_url)
    if migrate:
        database.migrate()
    hasher = SlowHasher(
        memory_kib=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
    )
    directory: DirectoryBackend
    if settings.directory == "sql":
        directory = SqlDirectory(database, hasher, clock)
    else:
        from core.directory.remote import remote_directory

        directory = remote_directory(settings, database, clock)
    answers = AnswerStore(database, hasher)
    email = email or email_sender_for(settings, database, clock)
    sms = sms or sms_sender_for(settings, database, clock)
    timed = timed_directory(directory)  # Core keeps the backend itself (isinstance checks); users get it timed
    recovery = RecoveryService(settings, database, directory=timed, answers=answers, email=email, sms=sms, clock=clock)
    support = SupportDesk(database, clock, hasher, timed)
    enrollment = recovery.enrollment.service  # one EnrollmentService: the chat's port and /enroll share it
    return Core(settings, database, clock, directory, answers, email, sms, recovery, support, enrollment)


def build_engine(core: Core) -> Engine:
    store = SqlConversationStore(core.database, core.clock, initial_state=INITIAL)
    settings = core.settings
    engine = Engine(core.recovery, store, core.clock, idle_seconds=settings.conversation_idle_seconds,
                    languages=settings.languages, default_language=settings.default_language)  # fmt: skip
    engine.push.register(TERMINAL, terminal_inbox(ChatHistory(core.database, core.clock, TERMINAL)))  # it polls
    return engine


def ticket_alerts(core: Core, wired: Wiring | None) -> list[TicketAlert]:
    """Where new-ticket alerts go, decided here only: the support team's Slack channel when Slack is on and
    one is named (none from a process without channels, e.g. the terminal chat), else the support address
    by email, else nowhere."""
    settings, console = core.settings, f"{core.settings.public_url}/agent"
    if settings.slack_enabled and settings.support_slack_channel:
        if wired is None:
            return []
        from channels.slack import SlackChannel

        slack = wired.channel(SlackChannel)
        return [
            slack.ticket_alert(settings.support_slack_channel, console_url=console, language=settings.default_language)
        ]
    if settings.support_email:
        breaker = core.recovery.breakers[Method.EMAIL]
        return [
            EmailTicketAlert(
                core.email, breaker, to=settings.support_email, console_url=console, language=settings.default_language
            )
        ]
    return []


@dataclass(frozen=True)
class Wiring:
    """What create_app wired, kept on the Flask app (one typed object; read it with wiring(app))."""

    core: Core
    engine: Engine
    channels: tuple[Channel, ...]
    delivery: DeliveryWorker  # a thread of `app.py run`; production runs `app.py worker` processes instead

    def channel(self, kind: type[C]) -> C:
        """The channel of this class (e.g. wiring(app).channel(TelegramChannel)); LookupError when it is off."""
        for channel in self.channels:
            if isinstance(channel, kind):
                return channel
        raise LookupError(f"no {kind.__name__} in this app")

    def background(self) -> list[BackgroundStart]:
        """Work outside requests that `python app.py run` starts (Slack Socket Mode, Telegram long polling)."""
        return [start for channel in self.channels for start in channel.background()]


_EXTENSION = "resetdesk"


def wiring(app: Flask) -> Wiring:
    found = app.extensions[_EXTENSION]
    assert isinstance(found, Wiring), "not an app from create_app"
    return found


def _web_channel(core: Core, engine: Engine) -> WebChannel:
    settings = core.settings
    https = settings.public_url.startswith("https://")
    per_minute = ChatLimits(
        requests=settings.chat_requests_per_minute,
        sessions=settings.chat_sessions_per_minute,
        messages=settings.chat_messages_per_minute,
        polls=settings.chat_polls_per_minute,
    )
    options = WebOptions(
        https=https,
        chat=per_minute,
        reset_requests_per_minute=settings.reset_requests_per_minute,
        reset_page=ResetPageOptions(settings.password_min_length, settings.password_history, settings.portal_url,
                                    settings.reset_checks_per_minute),
        demo=settings.demo_enabled,
        demo_sign_ins_per_minute=settings.demo_sign_ins_per_minute,
        metrics_token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
        languages=settings.languages, default_language=settings.default_language,
    )  # fmt: skip
    history = WebHistory(core.database, core.clock, WebChannel.name, secret=_key_bytes(settings))
    return WebChannel(
        engine,
        core.recovery,
        history=history,
        sessions=ChatSessions(Pseudonyms(_key_bytes(settings)), history, https=https),
        limiter=RateLimiter(core.database, core.clock),
        relay=SupportRelay(engine, core.support, core.recovery),
        agent_access=build_agent_access(settings, core.database, core.clock, core.support),
        outbox=Outbox(core.database, core.clock),
        reset_sessions=ResetSessions(core.database, core.clock, ttl_seconds=settings.reset_token_ttl_seconds),
        demo_sign_in=core.directory.sign_in if isinstance(core.directory, SqlDirectory) else None,
        options=options,
        enroll=EnrollParts(core.enrollment, EnrollHandover(core.enrollment.deps), core.clock),
        reports=Reports(core.database, core.clock, coverage=core.enrollment.coverage),
    )


def _key_bytes(settings: Settings) -> bytes:
    assert settings.secret_key is not None  # build_core made one
    return settings.secret_key.get_secret_value().encode()


def _chat_channels(core: Core, engine: Engine) -> list[Channel]:
    """Chat platforms are on when their credentials are set (imported only then: they are large)."""
    settings, ledger = core.settings, EventLedger(core.database, core.clock)
    channels: list[Channel] = []
    if settings.slack_enabled:
        from channels.slack import SlackChannel, SlackOptions

        assert settings.slack_bot_token is not None
        secret, app_token = settings.slack_signing_secret, settings.slack_app_token
        options = SlackOptions(
            bot_token=settings.slack_bot_token.get_secret_value(),
            signing_secret=secret.get_secret_value() if secret else None,
            app_token=app_token.get_secret_value() if app_token else None,
            api_url=settings.slack_api_url,
            process_before_response=settings.slack_process_before_response,
        )
        channels.append(SlackChannel(engine, ledger, options))
    if settings.telegram_enabled:
        from channels.telegram import TelegramChannel

        assert settings.telegram_bot_token is not None
        token, hook = settings.telegram_bot_token.get_secret_value(), settings.telegram_webhook_secret
        hook_secret = hook.get_secret_value() if hook else None
        channels.append(TelegramChannel(engine=engine, ledger=ledger, token=token, api_url=settings.telegram_api_url,
                                        webhook_secret=hook_secret or None))  # fmt: skip
    return channels


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
        daily=lambda: purge_expired(core.settings, core.database, core.clock),
    )
    if engine is not None:
        worker.failure_listeners.append(delivery_failure_notice(engine))
    return worker


def create_app(settings: Settings | None = None, *, core: Core | None = None) -> Flask:
    configure_logging()
    if core is None and settings is None and "public_url" not in (settings := load_settings()).model_fields_set:
        log.warning("RESETDESK_PUBLIC_URL is not set: links point at %s; set it (https)", settings.public_url)
    core = core or build_core(settings or load_settings())
    engine = build_engine(core)
    app = Flask(__name__, static_folder=None)  # static files are the web blueprint's /static
    app.config["SECRET_KEY"] = core.settings.secret_key.get_secret_value() if core.settings.secret_key else None
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024
    if core.settings.trusted_proxies:
        # Only the configured number of hops is believed; a client cannot pick its own address.
        hops = core.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    channels = [_web_channel(core, engine), *_chat_channels(core, engine)]
    for channel in channels:
        channel.register(app)
        engine.push.register(channel.name, channel.deliver)
    app.extensions[_EXTENSION] = wired = Wiring(core, engine, tuple(channels), build_delivery_worker(core, engine))
    core.recovery.ticket_alerts[:] = ticket_alerts(core, wired)  # the app's alerts, however often it is built
    register_health_and_errors(app, core.database)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (cli/, one function per command): `python app.py <command>`."""
    from cli import main as command_line  # imported here: cli/ imports this module for create_app and build_core

    return command_line(argv)


if __name__ == "__main__":
    sys.exit(main())
