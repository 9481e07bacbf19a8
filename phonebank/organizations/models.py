"""The tenant: every other row belongs to exactly one organization."""

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class Organization(IdMixin, TimestampMixin, Base):
    """A tenant, with the defaults its campaigns and people inherit."""

    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("max_call_attempts >= 1", name="max_call_attempts_positive"),)

    name: Mapped[str] = mapped_column(String(200))
    # TapRaise: the owning organization decides how many attempts a person gets.
    max_call_attempts: Mapped[int] = mapped_column(default=10)
    default_country: Mapped[str] = mapped_column(String(2), default="US")
    default_time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York")
