"""caller drafts: what a caller typed for a call before saving its result

Revision ID: 0011_caller_drafts
Revises: 0010_caller_presence
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import phonebank.db

revision: str = "0011_caller_drafts"
down_revision: str | None = "0010_caller_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "caller_drafts",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("updated_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_caller_drafts_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["caller_sessions.id"],
            name=op.f("fk_caller_drafts_session_id_caller_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "call_id", name=op.f("pk_caller_drafts")),
    )


def downgrade() -> None:
    op.drop_table("caller_drafts")
