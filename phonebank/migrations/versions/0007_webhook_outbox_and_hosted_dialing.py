"""webhook outbox and hosted dialing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import phonebank.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_webhook_subscriptions_scope"), ["scope"], unique=False)

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("last_status_code", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("last_attempt_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Deliveries written before events had ids carry their own id as the event's.
    op.execute("UPDATE webhook_deliveries SET event_id = id")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_subscription_id_event_id"),
            ["subscription_id", "event_id"],
        )

    op.create_table(
        "number_uploads",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("list_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", JSON, nullable=False),
        sa.Column("processed_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["lists.id"], name=op.f("fk_number_uploads_list_id_lists"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_number_uploads_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["webhook_subscriptions.id"],
            name=op.f("fk_number_uploads_subscription_id_webhook_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_uploads")),
        sa.UniqueConstraint(
            "organization_id", "identifier", name=op.f("uq_number_uploads_organization_id_identifier")
        ),
    )  # fmt: skip
    op.create_table(
        "hosted_dialings",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("upload_id", sa.Uuid(), nullable=True),
        sa.Column("phone_numbers_url", sa.String(length=2000), nullable=True),
        sa.Column("page_size", sa.Integer(), nullable=False),
        sa.Column("next_page", sa.Integer(), nullable=False),
        sa.Column("exhausted", sa.Boolean(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("last_fetch_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_hosted_dialings_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_hosted_dialings_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["webhook_subscriptions.id"],
            name=op.f("fk_hosted_dialings_subscription_id_webhook_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["number_uploads.id"],
            name=op.f("fk_hosted_dialings_upload_id_number_uploads"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_dialings")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_hosted_dialings_campaign_id")),
    )  # fmt: skip
    with op.batch_alter_table("hosted_dialings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hosted_dialings_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hosted_dialings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hosted_dialings_organization_id"))
    op.drop_table("hosted_dialings")
    op.drop_table("number_uploads")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_webhook_deliveries_subscription_id_event_id"), type_="unique"
        )
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("last_status_code")
        batch_op.drop_column("event_id")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_scope"))
        batch_op.drop_column("scope")
