"""recoveries.lang: the conversation's language, for what is sent after the chat turn (the change notice)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recoveries") as batch:
        batch.add_column(sa.Column("lang", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recoveries") as batch:
        batch.drop_column("lang")
