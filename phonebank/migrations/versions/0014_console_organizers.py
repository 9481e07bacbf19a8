"""console organizers: callers.is_organizer

Revision ID: 0014_console_organizers
Revises: 0013_caller_pin_lookup
Create Date: 2026-12-07 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_console_organizers"
down_revision: str | None = "0013_caller_pin_lookup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_organizer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Until now every supervisor ran the dashboard with full rights: they keep them.
    op.execute(sa.text("UPDATE callers SET is_organizer = is_supervisor"))


def downgrade() -> None:
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.drop_column("is_organizer")
