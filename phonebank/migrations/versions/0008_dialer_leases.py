"""dialer leases

Revision ID: 0008_dialer_leases
Revises: 0007
Create Date: 2026-11-22 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import phonebank.db

revision: str = "0008_dialer_leases"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialer_leases",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("acquired_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dialer_leases_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_dialer_leases")),
    )


def downgrade() -> None:
    op.drop_table("dialer_leases")
