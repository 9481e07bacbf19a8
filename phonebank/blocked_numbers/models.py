"""Do-not-call entries, organization-wide or for one campaign; checked at dial time."""

import uuid

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class BlockedNumber(IdMixin, TimestampMixin, Base):
    """A number never to be dialed, in the whole organization or in one campaign."""

    __tablename__ = "blocked_numbers"
    __table_args__ = (
        # The dial-time check asks "any entry for this number in the organization?".
        Index("ix_blocked_numbers_lookup", "organization_id", "number"),
        # NULL campaign means organization-wide; each scope holds a number at most once.
        Index(
            "uq_blocked_numbers_org_number",
            "organization_id",
            "number",
            unique=True,
            sqlite_where=text("campaign_id IS NULL"),
            postgresql_where=text("campaign_id IS NULL"),
        ),
        Index(
            "uq_blocked_numbers_campaign_number",
            "campaign_id",
            "number",
            unique=True,
            sqlite_where=text("campaign_id IS NOT NULL"),
            postgresql_where=text("campaign_id IS NOT NULL"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(300))
