"""skipped attempt outcome

Revision ID: 0009_skipped_attempt_outcome
Revises: 0008_dialer_leases
Create Date: 2026-11-22 20:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_skipped_attempt_outcome"
down_revision: str | None = "0008_dialer_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = (
    "outcome IS NULL OR outcome IN ('human', 'machine', 'busy', 'no_answer', 'failed',"
    " 'abandoned', 'rejected', 'not_dialed', 'cancelled')"
)
_AFTER = (
    "outcome IS NULL OR outcome IN ('human', 'machine', 'busy', 'no_answer', 'failed',"
    " 'abandoned', 'rejected', 'not_dialed', 'skipped', 'cancelled')"
)


def _replace_outcome_check(condition: str) -> None:
    # SQLite changes a check by rebuilding the table: dropping the old one, with foreign keys
    # on, sets every results.attempt_id to NULL. The links are kept aside and put back.
    rebuilt = op.get_bind().dialect.name == "sqlite"
    if rebuilt:
        op.execute(
            "CREATE TEMPORARY TABLE result_attempts AS"
            " SELECT id, attempt_id FROM results WHERE attempt_id IS NOT NULL"
        )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attempts_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_attempts_outcome"), condition)
    if rebuilt:
        op.execute(
            "UPDATE results SET attempt_id ="
            " (SELECT kept.attempt_id FROM result_attempts AS kept WHERE kept.id = results.id)"
            " WHERE id IN (SELECT id FROM result_attempts)"
        )
        op.execute("DROP TABLE result_attempts")


def upgrade() -> None:
    _replace_outcome_check(_AFTER)


def downgrade() -> None:
    # A caller's skip reads as what it was recorded as before: a number let go undialed.
    op.execute("UPDATE attempts SET outcome = 'not_dialed' WHERE outcome = 'skipped'")
    _replace_outcome_check(_BEFORE)
