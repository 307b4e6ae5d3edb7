"""SQLAlchemy models. The schema is created and upgraded by the Alembic migrations in core/storage/migrations.

Datetimes are naive UTC (see core.clock). Secrets are never stored in the clear: passwords and answers as
argon2id, codes and reset tokens as keyed hashes.

The models are grouped by what their tables serve: `accounts` (directory accounts, password history,
answers), `recovery` (recoveries, codes, reset tokens and sessions, failures), `chat` (conversations, web chat
messages, processed events, rate limits), `support` (tickets, agents), `delivery` (outbox, delivery jobs),
`enrollment` (self-enrolled contacts, their confirmation codes, reconfirm and nudge dates) and `audit`, all on
the one `base.Base`. Importing this package registers every table on `Base.metadata`, which the migrations'
env.py hands to Alembic; import the models from here.
"""

from __future__ import annotations

from core.storage.models.accounts import Account, ChallengeAnswer, DirectoryAccount, PasswordHistory
from core.storage.models.audit import AuditEvent
from core.storage.models.base import Base, table_of
from core.storage.models.chat import ChatMessage, Conversation, ProcessedEvent, RateLimitWindow
from core.storage.models.delivery import DeliveryJob, OutboxMessage
from core.storage.models.enrollment import ContactConfirmation, EnrolledContact, EnrollmentStatus
from core.storage.models.recovery import OneTimeCode, Recovery, ResetSession, ResetToken, VerificationFailure
from core.storage.models.support import Agent, AgentSession, HandoffTicket, TicketMessage

__all__ = [
    "Account",
    "Agent",
    "AgentSession",
    "AuditEvent",
    "Base",
    "ChallengeAnswer",
    "ChatMessage",
    "ContactConfirmation",
    "Conversation",
    "DeliveryJob",
    "DirectoryAccount",
    "EnrolledContact",
    "EnrollmentStatus",
    "HandoffTicket",
    "OneTimeCode",
    "OutboxMessage",
    "PasswordHistory",
    "ProcessedEvent",
    "RateLimitWindow",
    "Recovery",
    "ResetSession",
    "ResetToken",
    "TicketMessage",
    "VerificationFailure",
    "table_of",
]
