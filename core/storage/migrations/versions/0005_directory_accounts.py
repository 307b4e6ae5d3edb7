"""directory accounts: an LDAP/AD stable id (entryUUID, objectGUID) mapped to a local account id

Revision ID: 0005
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_accounts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("directory", sa.String(length=8), nullable=False),
        sa.Column("stable_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("directory", "stable_id"),
    )


def downgrade() -> None:
    op.drop_table("directory_accounts")
