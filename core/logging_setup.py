"""The one logging set-up, for the command line and for create_app (a WSGI server such as gunicorn keeps its
own handlers). Only the standard library: it names other libraries' loggers, it imports none of them."""

from __future__ import annotations

import logging
import re

__all__ = ["ResetTokenRedactor", "configure_logging"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that would write secrets at INFO/DEBUG: httpx logs request URLs, and a Telegram Bot API URL holds the
# bot token; slack-bolt's app logger (channels/slack, "resetdesk.slack.bolt") logs request bodies.
SECRET_LEAKING = ("httpx", "resetdesk.slack.bolt")
# Loggers that print every state-machine callback or migration step at INFO: quiet on the command line.
CHATTY = ("transitions", "alembic")
ACCESS_LOGS = ("werkzeug", "gunicorn.access")  # they print request paths


class ResetTokenRedactor(logging.Filter):
    """Access logs print request paths; a reset link's path holds its token. Replace it before any handler."""

    # Only the first request of a reset carries the token; /reset/set-password is left readable.
    _TOKEN_PATH = re.compile(r"/reset/(?!set-password(?![A-Za-z0-9_-]))[A-Za-z0-9_-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/reset/" in message:
            record.msg, record.args = self._TOKEN_PATH.sub("/reset/[redacted]", message), None
        return True


def configure_logging(*, console: bool = False) -> None:
    """Idempotent. Always: loggers that could write a secret at INFO are held at WARNING (unless the operator
    set their level), and reset-link paths are redacted from access logs. With `console` (the command line):
    INFO and above to stderr, without the chatty libraries."""
    for name in SECRET_LEAKING:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
    for name in ACCESS_LOGS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ResetTokenRedactor) for f in logger.filters):
            logger.addFilter(ResetTokenRedactor())
    if console:
        logging.basicConfig(level=logging.INFO, format=FORMAT)
        for name in (*CHATTY, *SECRET_LEAKING):
            logging.getLogger(name).setLevel(logging.WARNING)
