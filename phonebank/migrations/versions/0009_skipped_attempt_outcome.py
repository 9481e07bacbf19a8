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
    # SQLite rebuilds the table to change a check: the environment runs migrations there with
    # foreign keys off, so the results pointing at attempts keep their links.
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attempts_outcome"), type_="check")
        batch_op.create_check_constraint(op.f("ck_attempts_outcome"), condition)


def upgrade() -> None:
    _replace_outcome_check(_AFTER)


def downgrade() -> None:
    # A caller's skip reads as what it was recorded as before: a number let go undialed.
    op.execute("UPDATE attempts SET outcome = 'not_dialed' WHERE outcome = 'skipped'")
    _replace_outcome_check(_BEFORE)
