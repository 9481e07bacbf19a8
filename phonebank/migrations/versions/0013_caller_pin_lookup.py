"""caller pin lookup

Revision ID: 0013_caller_pin_lookup
Revises: 0012_pacer_names_and_key_expiry
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_caller_pin_lookup"
down_revision: str | None = "0012_pacer_names_and_key_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PINs set before this stay NULL until their caller's next login (or a new PIN) fills it.
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_lookup", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_callers_organization_id_pin_lookup"),
            ["organization_id", "pin_lookup"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callers_organization_id_pin_lookup"))
        batch_op.drop_column("pin_lookup")
