"""The chat API's rate-limit policy as a table: which limits each kind of call counts against.

Per-session limits are the real defence; the per-address ones are a backstop sized for an office behind one
NAT address (issue 13, finding 8). A call to an unknown session counts against its address only, so made-up
tokens leave no rate-limit rows behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from core.secrets.ratelimit import Limit
from core.settings import Settings

__all__ = ["POLICY", "Call", "Rule", "Scope", "limits_for"]


class Call(Enum):
    NEW_SESSION = "new session"
    MESSAGE = "message"
    POLL = "poll"
    OTHER = "other"  # a retired path, answered 410


class Scope(Enum):
    ADDRESS = "address"
    SESSION = "session"


@dataclass(frozen=True)
class Rule:
    key_prefix: str  # distinct per rule, so one request may count against several
    scope: Scope
    per_minute: Callable[[Settings], int]


ANY_CALL = Rule("addr", Scope.ADDRESS, lambda s: s.chat_requests_per_minute)
NEW_SESSIONS = Rule("new", Scope.ADDRESS, lambda s: s.chat_sessions_per_minute)
MESSAGES = Rule("session", Scope.SESSION, lambda s: s.chat_messages_per_minute)
POLLS = Rule("poll", Scope.SESSION, lambda s: s.chat_polls_per_minute)

POLICY: Mapping[Call, tuple[Rule, ...]] = {
    Call.NEW_SESSION: (ANY_CALL, NEW_SESSIONS),
    Call.MESSAGE: (ANY_CALL, MESSAGES),
    Call.POLL: (ANY_CALL, POLLS),
    Call.OTHER: (ANY_CALL,),
}


def limits_for(call: Call, settings: Settings, *, address: str, session_key: str | None) -> list[Limit]:
    """The limits one call counts against. `session_key` is the conversation's keyed hash (never the token);
    None for an unknown session, whose session rules are then skipped."""
    subjects = {Scope.ADDRESS: address, Scope.SESSION: session_key}
    limits = []
    for rule in POLICY[call]:
        subject = subjects[rule.scope]
        if subject is not None:
            limits.append(Limit(f"{rule.key_prefix}:{subject}", rule.per_minute(settings)))
    return limits
