"""caller presence: when a caller's page was last seen

Revision ID: 0010_caller_presence
Revises: 0009_skipped_attempt_outcome
Create Date: 2026-12-07 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import phonebank.db

revision: str = "0010_caller_presence"
down_revision: str | None = "0009_skipped_attempt_outcome"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for sessions whose presence is not a page's (phones-only callers, simulations).
    with op.batch_alter_table("caller_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("caller_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
