"""Alembic migrations; run them with `phonebank db upgrade`."""
