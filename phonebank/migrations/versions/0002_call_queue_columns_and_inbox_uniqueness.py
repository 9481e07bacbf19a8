"""call queue columns and inbox uniqueness

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:38:49.141237
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import phonebank.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_number", sa.String(length=20), nullable=True))

    # Existing calls: the number their next attempt dials, and a due time for every call.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE calls SET next_number = numbers ->> next_number_index")
    else:
        op.execute(
            "UPDATE calls SET next_number = json_extract(numbers, '$[' || next_number_index || ']')"
        )
    op.execute("UPDATE calls SET next_call_at = requested_at WHERE next_call_at IS NULL")

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.alter_column(
            "next_call_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.drop_index(batch_op.f("ix_calls_queue"))
        batch_op.create_index(
            "ix_calls_campaign_person", ["campaign_id", "person_id"], unique=False
        )
        batch_op.create_index(
            "ix_calls_campaign_zone", ["campaign_id", "status", "time_zone"], unique=False
        )
        batch_op.create_index(
            "ix_calls_in_flight",
            ["organization_id", "next_number"],
            unique=False,
            sqlite_where=sa.text("dialing_since IS NOT NULL"),
            postgresql_where=sa.text("dialing_since IS NOT NULL"),
        )

    # Outside batch mode: SQLite's table copy cannot carry an index with a sort order.
    op.create_index(
        "ix_calls_queue",
        "calls",
        ["campaign_id", "status", sa.text("priority DESC"), "next_call_at", "id"],
    )

    with op.batch_alter_table("blocked_numbers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_blocked_numbers_lookup", ["organization_id", "number"], unique=False
        )

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "uq_campaigns_org_inbox",
            ["organization_id", "inbox_type"],
            unique=True,
            sqlite_where=sa.text("inbox_type IS NOT NULL"),
            postgresql_where=sa.text("inbox_type IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_campaigns_org_inbox",
            sqlite_where=sa.text("inbox_type IS NOT NULL"),
            postgresql_where=sa.text("inbox_type IS NOT NULL"),
        )

    with op.batch_alter_table("blocked_numbers", schema=None) as batch_op:
        batch_op.drop_index("ix_blocked_numbers_lookup")

    op.drop_index("ix_calls_queue", "calls")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_calls_in_flight",
            sqlite_where=sa.text("dialing_since IS NOT NULL"),
            postgresql_where=sa.text("dialing_since IS NOT NULL"),
        )
        batch_op.drop_index("ix_calls_campaign_zone")
        batch_op.drop_index("ix_calls_campaign_person")
        batch_op.create_index(
            batch_op.f("ix_calls_queue"),
            ["campaign_id", "status", "next_call_at", "priority"],
            unique=False,
        )
        batch_op.alter_column(
            "next_call_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=True
        )
        batch_op.drop_column("next_number")
