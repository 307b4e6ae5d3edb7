"""reset sessions (the reset token out of the URL) and timestamp indexes for retention purges

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reset_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("sealed_token", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_reset_sessions_expires_at"), "reset_sessions", ["expires_at"], unique=False)
    op.create_index(op.f("ix_recoveries_created_at"), "recoveries", ["created_at"], unique=False)
    op.create_index(op.f("ix_handoff_tickets_closed_at"), "handoff_tickets", ["closed_at"], unique=False)
    op.create_index(op.f("ix_chat_messages_created_at"), "chat_messages", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_messages_created_at"), table_name="chat_messages")
    op.drop_index(op.f("ix_handoff_tickets_closed_at"), table_name="handoff_tickets")
    op.drop_index(op.f("ix_recoveries_created_at"), table_name="recoveries")
    op.drop_index(op.f("ix_reset_sessions_expires_at"), table_name="reset_sessions")
    op.drop_table("reset_sessions")
