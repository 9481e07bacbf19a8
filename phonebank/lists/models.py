"""Lists of people (OSDI list and item): call targets, volunteers."""

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class PersonList(IdMixin, TimestampMixin, Base):
    """A named list of people."""

    __tablename__ = "lists"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    origin_system: Mapped[str | None] = mapped_column(String(200))

    if TYPE_CHECKING:
        # Counted by the database when the list is loaded; mapped below, after ListItem.
        total_items: Mapped[int]


class ListItem(IdMixin, TimestampMixin, Base):
    """One person on one list, at most once."""

    __tablename__ = "list_items"
    __table_args__ = (UniqueConstraint("list_id", "person_id"),)

    list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )


PersonList.total_items = column_property(
    select(func.count(ListItem.id))
    .where(ListItem.list_id == PersonList.id)
    .correlate_except(ListItem)
    .scalar_subquery()
)
