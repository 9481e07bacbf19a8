"""Foreign identifiers (`system:id`) that other systems gave to our objects."""

import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class ForeignIdentifier(IdMixin, TimestampMixin, Base):
    """One identifier of one object of a kind (`tag`, `list`, `campaign`, ...).

    People keep theirs in `person_identifiers`; every other kind shares this table. An
    identifier names at most one object of a kind in an organization.
    """

    __tablename__ = "foreign_identifiers"
    __table_args__ = (
        UniqueConstraint("organization_id", "kind", "identifier"),
        Index("ix_foreign_identifiers_object", "kind", "object_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[uuid.UUID]
    identifier: Mapped[str] = mapped_column(String(300))
