"""caller logins and campaign access codes

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-22 14:33:35.581876
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import phonebank.db
from phonebank.campaigns.codes import new_access_code

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "caller_logins",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["callers.id"],
            name=op.f("fk_caller_logins_caller_id_callers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_caller_logins_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_caller_logins_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_logins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_caller_logins_token_hash")),
    )
    with op.batch_alter_table("caller_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caller_logins_caller_id"), ["caller_id"], unique=False)

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_campaigns_access_code"), ["access_code"])

    # Existing campaigns get their volunteers' access code too.
    bind = op.get_bind()
    for (campaign_id,) in bind.execute(sa.text("SELECT id FROM campaigns")).all():
        bind.execute(
            sa.text("UPDATE campaigns SET access_code = :code WHERE id = :id"),
            {"code": new_access_code(), "id": campaign_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_campaigns_access_code"), type_="unique")
        batch_op.drop_column("access_code")

    with op.batch_alter_table("caller_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caller_logins_caller_id"))

    op.drop_table("caller_logins")
