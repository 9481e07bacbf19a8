"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 12:19:46.705774
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import phonebank.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("max_call_attempts", sa.Integer(), nullable=False),
        sa.Column("default_country", sa.String(length=2), nullable=False),
        sa.Column("default_time_zone", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "max_call_attempts >= 1", name=op.f("ck_organizations_max_call_attempts_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_table(
        "caller_groups",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_caller_groups_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_groups")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_caller_groups_organization_id_name")
        ),
    )
    with op.batch_alter_table("caller_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caller_groups_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "lists",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("origin_system", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_lists_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
    )
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lists_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "messages",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("audio_url", sa.String(length=2000), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('voicemail', 'safe_harbor', 'hold', 'other')",
            name=op.f("ck_messages_message_kind"),
        ),
        sa.CheckConstraint(
            "audio_url IS NOT NULL OR text IS NOT NULL", name=op.f("ck_messages_audio_or_text")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_messages_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "people",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("additional_name", sa.String(length=200), nullable=True),
        sa.Column("gender", sa.String(length=40), nullable=True),
        sa.Column("origin_system", sa.String(length=200), nullable=True),
        sa.Column(
            "languages_spoken",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_people_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "scripts",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("origin_system", sa.String(length=200), nullable=True),
        sa.Column(
            "selected_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scripts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scripts")),
    )
    with op.batch_alter_table("scripts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scripts_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "service_accounts",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_service_accounts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_accounts")),
    )
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_accounts_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "tags",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("origin_system", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_tags_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("organization_id", "name", name=op.f("uq_tags_organization_id_name")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tags_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "webhook_subscriptions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column(
            "events",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_subscriptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_subscriptions_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "api_keys",
        sa.Column("service_account_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_account_id"],
            ["service_accounts.id"],
            name=op.f("fk_api_keys_service_account_id_service_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_service_account_id"), ["service_account_id"], unique=False
        )

    op.create_table(
        "callers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("phones_only", sa.Boolean(), nullable=False),
        sa.Column("is_supervisor", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("caller_group_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["caller_group_id"],
            ["caller_groups.id"],
            name=op.f("fk_callers_caller_group_id_caller_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_callers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callers")),
        sa.UniqueConstraint(
            "organization_id", "email", name=op.f("uq_callers_organization_id_email")
        ),
    )
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callers_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "campaigns",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("origin_system", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dialing_mode", sa.String(length=20), nullable=False),
        sa.Column("pacer", sa.String(length=300), nullable=True),
        sa.Column("start_time", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_time", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("daily_start_hour", sa.Integer(), nullable=False),
        sa.Column("daily_stop_hour", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("caller_id", sa.String(length=20), nullable=True),
        sa.Column("voicemail_audio_url", sa.String(length=2000), nullable=True),
        sa.Column("voicemail_message_id", sa.Uuid(), nullable=True),
        sa.Column("safe_harbor_message_id", sa.Uuid(), nullable=True),
        sa.Column("script_id", sa.Uuid(), nullable=True),
        sa.Column("target_list_id", sa.Uuid(), nullable=True),
        sa.Column("volunteers_list_id", sa.Uuid(), nullable=True),
        sa.Column("caller_group_id", sa.Uuid(), nullable=True),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("retry_delay_busy_seconds", sa.Integer(), nullable=False),
        sa.Column("retry_delay_no_answer_seconds", sa.Integer(), nullable=False),
        sa.Column("retry_delay_machine_seconds", sa.Integer(), nullable=False),
        sa.Column("retry_delay_failed_seconds", sa.Integer(), nullable=False),
        sa.Column("retry_delay_abandoned_seconds", sa.Integer(), nullable=False),
        sa.Column("abandon_rate_target", sa.Double(), nullable=False),
        sa.Column("ring_timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("power_ratio", sa.Double(), nullable=False),
        sa.Column("preview_seconds", sa.Integer(), nullable=True),
        sa.Column("inbox_type", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "dialing_mode IN ('preview', 'power', 'predictive')",
            name=op.f("ck_campaigns_dialing_mode"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'started', 'paused', 'stopped')",
            name=op.f("ck_campaigns_status"),
        ),
        sa.CheckConstraint(
            "abandon_rate_target >= 0 AND abandon_rate_target <= 3",
            name=op.f("ck_campaigns_abandon"),
        ),
        sa.CheckConstraint(
            "daily_start_hour BETWEEN 0 AND 23", name=op.f("ck_campaigns_daily_start_hour")
        ),
        sa.CheckConstraint(
            "daily_stop_hour BETWEEN 0 AND 23", name=op.f("ck_campaigns_daily_stop_hour")
        ),
        sa.CheckConstraint(
            "end_time IS NULL OR start_time IS NULL OR end_time > start_time",
            name=op.f("ck_campaigns_time_order"),
        ),
        sa.CheckConstraint("power_ratio > 0", name=op.f("ck_campaigns_power_ratio")),
        sa.CheckConstraint("retry_count >= 0", name=op.f("ck_campaigns_retry_count")),
        sa.CheckConstraint("ring_timeout_seconds >= 15", name=op.f("ck_campaigns_ring_timeout")),
        sa.ForeignKeyConstraint(
            ["caller_group_id"],
            ["caller_groups.id"],
            name=op.f("fk_campaigns_caller_group_id_caller_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_campaigns_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["safe_harbor_message_id"],
            ["messages.id"],
            name=op.f("fk_campaigns_safe_harbor_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_campaigns_script_id_scripts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_list_id"],
            ["lists.id"],
            name=op.f("fk_campaigns_target_list_id_lists"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["voicemail_message_id"],
            ["messages.id"],
            name=op.f("fk_campaigns_voicemail_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["volunteers_list_id"],
            ["lists.id"],
            name=op.f("fk_campaigns_volunteers_list_id_lists"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaigns_org_status", ["organization_id", "status"], unique=False
        )

    op.create_table(
        "email_addresses",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("address_type", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_email_addresses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_email_addresses_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_addresses")),
    )
    with op.batch_alter_table("email_addresses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_email_addresses_org_address", ["organization_id", "address"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_email_addresses_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "list_items",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["lists.id"], name=op.f("fk_list_items_list_id_lists"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_list_items_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_items")),
        sa.UniqueConstraint("list_id", "person_id", name=op.f("uq_list_items_list_id_person_id")),
    )
    with op.batch_alter_table("list_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_items_person_id"), ["person_id"], unique=False)

    op.create_table(
        "note_fields",
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_note_fields_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_fields")),
    )
    with op.batch_alter_table("note_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_fields_script_id"), ["script_id"], unique=False)

    op.create_table(
        "person_identifiers",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_person_identifiers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_identifiers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identifiers")),
        sa.UniqueConstraint(
            "organization_id",
            "identifier",
            name=op.f("uq_person_identifiers_organization_id_identifier"),
        ),
    )
    with op.batch_alter_table("person_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_identifiers_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "phone_numbers",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("number_type", sa.String(length=40), nullable=True),
        sa.Column("sms_capable", sa.Boolean(), nullable=True),
        sa.Column("do_not_call", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column(
            "time_zones",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_phone_numbers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_phone_numbers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_numbers")),
    )
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_numbers_org_number", ["organization_id", "number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_phone_numbers_person_id"), ["person_id"], unique=False)

    op.create_table(
        "postal_addresses",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("address_type", sa.String(length=40), nullable=True),
        sa.Column(
            "address_lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("locality", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_postal_addresses_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postal_addresses")),
    )
    with op.batch_alter_table("postal_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_postal_addresses_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "questions",
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("question_type", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "question_type IN ('SingleChoice', 'MultiChoice', 'Paragraph')",
            name=op.f("ck_questions_question_type"),
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_questions_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_script_id"), ["script_id"], unique=False)

    op.create_table(
        "script_texts",
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_script_texts_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_texts")),
    )
    with op.batch_alter_table("script_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_script_texts_script_id"), ["script_id"], unique=False)

    op.create_table(
        "taggings",
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_taggings_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_taggings_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taggings")),
        sa.UniqueConstraint("tag_id", "person_id", name=op.f("uq_taggings_tag_id_person_id")),
    )
    with op.batch_alter_table("taggings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taggings_person_id"), ["person_id"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("transfer_type", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "transfer_type IN ('warm', 'cold')", name=op.f("ck_transfers_transfer_type")
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_transfers_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_script_id"), ["script_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "blocked_numbers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_blocked_numbers_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_blocked_numbers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocked_numbers")),
    )
    with op.batch_alter_table("blocked_numbers", schema=None) as batch_op:
        batch_op.create_index(
            "uq_blocked_numbers_campaign_number",
            ["campaign_id", "number"],
            unique=True,
            sqlite_where=sa.text("campaign_id IS NOT NULL"),
            postgresql_where=sa.text("campaign_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_blocked_numbers_org_number",
            ["organization_id", "number"],
            unique=True,
            sqlite_where=sa.text("campaign_id IS NULL"),
            postgresql_where=sa.text("campaign_id IS NULL"),
        )

    op.create_table(
        "calls",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column(
            "numbers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("next_number_index", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("next_call_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("preferred_caller_id", sa.Uuid(), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("attempts_count", sa.Integer(), nullable=False),
        sa.Column("dialing_since", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "external_metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("pledge_case_uuid", sa.Uuid(), nullable=True),
        sa.Column("requested_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by_user_uuid", sa.Uuid(), nullable=True),
        sa.Column("completed_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by_user_uuid", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expired_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'completed', 'cancelled', 'expired')",
            name=op.f("ck_calls_status"),
        ),
        sa.CheckConstraint(
            "type IN ('verification', 'happy_call', 'winback')", name=op.f("ck_calls_type")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_calls_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_calls_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_calls_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["preferred_caller_id"],
            ["callers.id"],
            name=op.f("fk_calls_preferred_caller_id_callers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calls_org_created", ["organization_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_calls_person", ["person_id"], unique=False)
        batch_op.create_index(
            "ix_calls_queue", ["campaign_id", "status", "next_call_at", "priority"], unique=False
        )

    op.create_table(
        "question_responses",
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_responses_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_responses")),
        sa.UniqueConstraint(
            "question_id", "key", name=op.f("uq_question_responses_question_id_key")
        ),
    )
    with op.batch_alter_table("question_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_responses_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "attempts",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("user_uuid", sa.Uuid(), nullable=True),
        sa.Column("caller_id", sa.Uuid(), nullable=True),
        sa.Column("attempted_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("cause", sa.String(length=100), nullable=True),
        sa.Column("ringing_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("bridged_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("wrap_ended_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("carrier_call_id", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('human', 'machine', 'busy', 'no_answer', 'failed', 'abandoned', 'rejected', 'not_dialed', 'cancelled')",
            name=op.f("ck_attempts_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_attempts_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["callers.id"],
            name=op.f("fk_attempts_caller_id_callers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_attempts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index("ix_attempts_call", ["call_id"], unique=False)
        batch_op.create_index(
            "ix_attempts_campaign_time", ["campaign_id", "attempted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attempts_carrier_call_id"), ["carrier_call_id"], unique=False
        )

    op.create_table(
        "caller_sessions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_since", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("current_call_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "state IN ('available', 'previewing', 'dialing', 'connected', 'wrap_up', 'paused', 'ended')",
            name=op.f("ck_caller_sessions_state"),
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["callers.id"],
            name=op.f("fk_caller_sessions_caller_id_callers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_caller_sessions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["current_call_id"],
            ["calls.id"],
            name=op.f("fk_caller_sessions_current_call_id_calls"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_caller_sessions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_sessions")),
    )
    with op.batch_alter_table("caller_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caller_sessions_caller_id"), ["caller_id"], unique=False
        )
        batch_op.create_index(
            "ix_caller_sessions_campaign_state", ["campaign_id", "state"], unique=False
        )

    op.create_table(
        "caller_session_spans",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", phonebank.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "state IN ('available', 'previewing', 'dialing', 'connected', 'wrap_up', 'paused', 'ended')",
            name=op.f("ck_caller_session_spans_state"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["caller_sessions.id"],
            name=op.f("fk_caller_session_spans_session_id_caller_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_session_spans")),
    )
    with op.batch_alter_table("caller_session_spans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caller_session_spans_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "results",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=True),
        sa.Column("caller_id", sa.Uuid(), nullable=True),
        sa.Column("disposition", sa.String(length=100), nullable=False),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_results_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_results_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["caller_id"],
            ["callers.id"],
            name=op.f("fk_results_caller_id_callers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_results_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_results_attempt_id")),
    )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_results_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "ix_results_campaign_created", ["campaign_id", "created_at"], unique=False
        )

    op.create_table(
        "answers",
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answers_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["question_responses.id"],
            name=op.f("fk_answers_response_id_question_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["results.id"],
            name=op.f("fk_answers_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answers_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_answers_result_id"), ["result_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answers_result_id"))
        batch_op.drop_index(batch_op.f("ix_answers_question_id"))

    op.drop_table("answers")
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_index("ix_results_campaign_created")
        batch_op.drop_index(batch_op.f("ix_results_call_id"))

    op.drop_table("results")
    with op.batch_alter_table("caller_session_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caller_session_spans_session_id"))

    op.drop_table("caller_session_spans")
    with op.batch_alter_table("caller_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_caller_sessions_campaign_state")
        batch_op.drop_index(batch_op.f("ix_caller_sessions_caller_id"))

    op.drop_table("caller_sessions")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempts_carrier_call_id"))
        batch_op.drop_index("ix_attempts_campaign_time")
        batch_op.drop_index("ix_attempts_call")

    op.drop_table("attempts")
    with op.batch_alter_table("question_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_responses_question_id"))

    op.drop_table("question_responses")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_queue")
        batch_op.drop_index("ix_calls_person")
        batch_op.drop_index("ix_calls_org_created")

    op.drop_table("calls")
    with op.batch_alter_table("blocked_numbers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_blocked_numbers_org_number",
            sqlite_where=sa.text("campaign_id IS NULL"),
            postgresql_where=sa.text("campaign_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_blocked_numbers_campaign_number",
            sqlite_where=sa.text("campaign_id IS NOT NULL"),
            postgresql_where=sa.text("campaign_id IS NOT NULL"),
        )

    op.drop_table("blocked_numbers")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_subscription_id"))
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_script_id"))

    op.drop_table("transfers")
    with op.batch_alter_table("taggings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taggings_person_id"))

    op.drop_table("taggings")
    with op.batch_alter_table("script_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_script_texts_script_id"))

    op.drop_table("script_texts")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_script_id"))

    op.drop_table("questions")
    with op.batch_alter_table("postal_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postal_addresses_person_id"))

    op.drop_table("postal_addresses")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_numbers_person_id"))
        batch_op.drop_index("ix_phone_numbers_org_number")

    op.drop_table("phone_numbers")
    with op.batch_alter_table("person_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_identifiers_person_id"))

    op.drop_table("person_identifiers")
    with op.batch_alter_table("note_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_fields_script_id"))

    op.drop_table("note_fields")
    with op.batch_alter_table("list_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_items_person_id"))

    op.drop_table("list_items")
    with op.batch_alter_table("email_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_addresses_person_id"))
        batch_op.drop_index("ix_email_addresses_org_address")

    op.drop_table("email_addresses")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_org_status")

    op.drop_table("campaigns")
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callers_organization_id"))

    op.drop_table("callers")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_service_account_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_organization_id"))

    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_organization_id"))

    op.drop_table("tags")
    with op.batch_alter_table("service_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_accounts_organization_id"))

    op.drop_table("service_accounts")
    with op.batch_alter_table("scripts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scripts_organization_id"))

    op.drop_table("scripts")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_organization_id"))

    op.drop_table("people")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_organization_id"))

    op.drop_table("messages")
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lists_organization_id"))

    op.drop_table("lists")
    with op.batch_alter_table("caller_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caller_groups_organization_id"))

    op.drop_table("caller_groups")
    op.drop_table("organizations")
