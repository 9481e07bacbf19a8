"""Tags and their application to people (OSDI tag and tagging)."""

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class Tag(IdMixin, TimestampMixin, Base):
    """A named label; names are unique within an organization."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    origin_system: Mapped[str | None] = mapped_column(String(200))


class Tagging(IdMixin, TimestampMixin, Base):
    """A tag applied to a person, at most once."""

    __tablename__ = "taggings"
    __table_args__ = (UniqueConstraint("tag_id", "person_id"),)

    tag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
