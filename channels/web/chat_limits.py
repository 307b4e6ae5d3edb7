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

__all__ = ["POLICY", "Call", "ChatLimits", "Rule", "Scope", "limits_for"]


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """Requests per minute (the chat_*_per_minute settings, picked in app.py)."""

    requests: int  # per address, every call: a backstop
    sessions: int  # per address, new sessions
    messages: int  # per session
    polls: int  # per session


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
    per_minute: Callable[[ChatLimits], int]


ANY_CALL = Rule("addr", Scope.ADDRESS, lambda limits: limits.requests)
NEW_SESSIONS = Rule("new", Scope.ADDRESS, lambda limits: limits.sessions)
MESSAGES = Rule("session", Scope.SESSION, lambda limits: limits.messages)
POLLS = Rule("poll", Scope.SESSION, lambda limits: limits.polls)

POLICY: Mapping[Call, tuple[Rule, ...]] = {
    Call.NEW_SESSION: (ANY_CALL, NEW_SESSIONS),
    Call.MESSAGE: (ANY_CALL, MESSAGES),
    Call.POLL: (ANY_CALL, POLLS),
    Call.OTHER: (ANY_CALL,),
}


def limits_for(call: Call, per_minute: ChatLimits, *, address: str, session_key: str | None) -> list[Limit]:
    """The limits one call counts against. `session_key` is the conversation's keyed hash (never the token);
    None for an unknown session, whose session rules are then skipped."""
    subjects = {Scope.ADDRESS: address, Scope.SESSION: session_key}
    limits = []
    for rule in POLICY[call]:
        subject = subjects[rule.scope]
        if subject is not None:
            limits.append(Limit(f"{rule.key_prefix}:{subject}", rule.per_minute(per_minute)))
    return limits
