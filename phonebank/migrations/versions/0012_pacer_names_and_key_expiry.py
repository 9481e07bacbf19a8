"""pacer names and key expiry

Revision ID: 0012_pacer_names_and_key_expiry
Revises: 0011_caller_drafts
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import phonebank.db

revision: str = "0012_pacer_names_and_key_expiry"
down_revision: str | None = "0011_caller_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Campaigns named their pacer by dotted path; the built-in ones now go by name. Any other path
# stays as it was: the dialer refuses it until the operator registers that pacer by a name and
# the campaign is given it (docs/deployment.md).
_BUILTIN_PATHS = {
    "phonebank.dialer.pacers.preview:PreviewPacer": "preview",
    "phonebank.dialer.pacers.power:PowerPacer": "power",
    "phonebank.dialer.pacers.predictive:PredictivePacer": "predictive",
}


def upgrade() -> None:
    campaigns = sa.table("campaigns", sa.column("pacer", sa.String))
    for path, name in _BUILTIN_PATHS.items():
        op.execute(campaigns.update().where(campaigns.c.pacer == path).values(pacer=name))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    campaigns = sa.table("campaigns", sa.column("pacer", sa.String))
    for path, name in _BUILTIN_PATHS.items():
        op.execute(campaigns.update().where(campaigns.c.pacer == name).values(pacer=path))
