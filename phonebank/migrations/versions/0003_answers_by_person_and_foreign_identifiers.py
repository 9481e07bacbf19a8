"""answers by person and foreign identifiers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:33:30.606518
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import phonebank.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)


def upgrade() -> None:
    op.create_table(
        "foreign_identifiers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_foreign_identifiers_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foreign_identifiers")),
        sa.UniqueConstraint(
            "organization_id",
            "kind",
            "identifier",
            name=op.f("uq_foreign_identifiers_organization_id_kind_identifier"),
        ),
    )
    with op.batch_alter_table("foreign_identifiers", schema=None) as batch_op:
        batch_op.create_index("ix_foreign_identifiers_object", ["kind", "object_id"], unique=False)

    # Questions get their own timestamps, starting from their script's.
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE questions SET"
        " created_at = (SELECT scripts.created_at FROM scripts WHERE scripts.id = questions.script_id),"
        " modified_at = (SELECT scripts.modified_at FROM scripts WHERE scripts.id = questions.script_id)"
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.alter_column(
            "created_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "modified_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=False
        )

    # New columns start nullable, are filled from what existing rows point to, then tightened.
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("responses", JSON, nullable=True))
        batch_op.add_column(
            sa.Column("created_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("modified_at", phonebank.db.UTCDateTime(timezone=True), nullable=True)
        )
    array_of = "jsonb_build_array" if op.get_bind().dialect.name == "postgresql" else "json_array"
    op.execute(
        "UPDATE answers SET"
        " person_id = (SELECT calls.person_id FROM results JOIN calls ON calls.id = results.call_id"
        " WHERE results.id = answers.result_id),"
        " created_at = (SELECT results.created_at FROM results WHERE results.id = answers.result_id),"
        " modified_at = (SELECT results.created_at FROM results WHERE results.id = answers.result_id),"
        f" responses = CASE WHEN response_id IS NULL THEN {array_of}() ELSE"
        f" (SELECT {array_of}(question_responses.key) FROM question_responses"
        " WHERE question_responses.id = answers.response_id) END"
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.alter_column("person_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("responses", existing_type=JSON, nullable=False)
        batch_op.alter_column(
            "created_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column(
            "modified_at", existing_type=phonebank.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("result_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "ix_answers_person_created", ["person_id", "created_at"], unique=False
        )
        batch_op.drop_constraint(
            batch_op.f("fk_answers_response_id_question_responses"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_answers_person_id_people"),
            "people",
            ["person_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_column("response_id")


def downgrade() -> None:
    # Signup answers have no result to hang from, and choices become one row each: drop them.
    op.execute("DELETE FROM answers WHERE result_id IS NULL")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint(batch_op.f("fk_answers_person_id_people"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_answers_response_id_question_responses"),
            "question_responses",
            ["response_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_index("ix_answers_person_created")
        batch_op.alter_column("result_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("modified_at")
        batch_op.drop_column("created_at")
        batch_op.drop_column("responses")
        batch_op.drop_column("person_id")

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("modified_at")
        batch_op.drop_column("created_at")

    with op.batch_alter_table("foreign_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_foreign_identifiers_object")

    op.drop_table("foreign_identifiers")
