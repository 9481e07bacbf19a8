"""obi customer and campaign fields

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:33:23.035139
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("dialing_mode", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("preview_seconds", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_calls_campaign_external_id", ["campaign_id", "external_id"], unique=True
        )

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("increase_predictive_ratio", sa.Double(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            "increase_predictive_ratio",
            "increase_predictive_ratio >= 0 AND increase_predictive_ratio <= 100",
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_constraint("increase_predictive_ratio", type_="check")
        batch_op.drop_column("increase_predictive_ratio")

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("uq_calls_campaign_external_id")
        batch_op.drop_column("preview_seconds")
        batch_op.drop_column("dialing_mode")
        batch_op.drop_column("external_id")
