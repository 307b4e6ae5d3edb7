"""Every metric ResetDesk exports, declared once (prometheus_client's default registry).

Declared at import, so under gunicorn PROMETHEUS_MULTIPROC_DIR must be set before the app is imported (the
environment or deploy/gunicorn.conf.py); each worker then writes its values to files in that directory."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "BREAKER_OPEN",
    "CHAT_REQUEST_SECONDS",
    "CODE_DELIVERIES",
    "COMPLETED",
    "CONVERSATIONS_STARTED",
    "DIRECTORY_SECONDS",
    "HANDOFFS",
    "LOCKS",
    "PROVIDER_SECONDS",
    "TIME_TO_RESET_SECONDS",
    "VERIFICATIONS",
]

CONVERSATIONS_STARTED = Counter(
    "resetdesk_conversations_started",
    "Recovery conversations started (the person gave an employee ID or username), by channel.",
    ["channel"],
)
VERIFICATIONS = Counter(
    "resetdesk_verifications",
    'Verification steps judged, by method ("code": a wrong one-time code) and outcome (passed, failed).',
    ["method", "outcome"],
)
CODE_DELIVERIES = Counter(
    "resetdesk_code_deliveries",
    "Delivery tries by the worker, by provider (email, sms) and outcome (sent, failed, given_up).",
    ["provider", "outcome"],
)
COMPLETED = Counter(
    "resetdesk_recoveries_completed",
    "Password resets and unlocks completed, by change (password_reset, unlocked), channel and method.",
    ["change", "channel", "method"],
)
HANDOFFS = Counter("resetdesk_handoffs", "Hand-offs to live support (tickets opened), by reason.", ["reason"])
LOCKS = Counter("resetdesk_locks", "Verifications locked after too many failures, by method.", ["method"])
TIME_TO_RESET_SECONDS = Histogram(
    "resetdesk_time_to_reset_seconds",
    "From the start of a recovery (the identifier given) to the password changed.",
    buckets=(30, 60, 120, 180, 300, 600, 900, 1800, 3600, 7200),
)
CHAT_REQUEST_SECONDS = Histogram(
    "resetdesk_chat_request_seconds",
    "Chat API request latency, by endpoint (session, message, poll, retired).",
    ["endpoint"],
)
DIRECTORY_SECONDS = Histogram(
    "resetdesk_directory_seconds",
    "Directory call latency, by operation (find, get, set_password...) and outcome (ok, error).",
    ["operation", "outcome"],
)
PROVIDER_SECONDS = Histogram(
    "resetdesk_provider_seconds", "Delivery provider call latency, by provider (email, sms).", ["provider"]
)
# livemax: across workers, 1 when any live process has the breaker open (each process keeps its own breaker).
BREAKER_OPEN = Gauge(
    "resetdesk_circuit_breaker_open",
    "1 while a circuit breaker is open in some process, by provider (email, sms, directory).",
    ["provider"],
    multiprocess_mode="livemax",
)
