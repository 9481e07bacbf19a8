"""postal address status

Revision ID: 0015_postal_address_status
Revises: 0014_console_organizers
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_postal_address_status"
down_revision: str | None = "0014_console_organizers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("postal_addresses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("postal_addresses", schema=None) as batch_op:
        batch_op.drop_column("status")
