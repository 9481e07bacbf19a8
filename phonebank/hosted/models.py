"""A hosted dialing (a campaign fed by the customer's system) and uploaded number lists."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin


class NumberUpload(IdMixin, TimestampMixin, Base):
    """Phone numbers uploaded under the customer's own identifier, kept as a list to dial."""

    __tablename__ = "number_uploads"
    __table_args__ = (UniqueConstraint("organization_id", "identifier"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    identifier: Mapped[str] = mapped_column(String(200))
    # Told (through the webhook machinery) when the upload has been processed.
    webhook_url: Mapped[str] = mapped_column(String(2000))
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="SET NULL")
    )
    list_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lists.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="processing")
    total: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    # Numbers that could not be used: [{index, number, reason}].
    rejected: Mapped[list[Any]] = mapped_column(default=list)
    processed_at: Mapped[datetime | None]


class HostedDialing(IdMixin, TimestampMixin, Base):
    """A campaign whose numbers come from a request, an upload or the customer's numbers URL."""

    __tablename__ = "hosted_dialings"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True
    )
    # The call-state URL is a subscription scoped to the campaign: signed and retried.
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="SET NULL")
    )
    upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("number_uploads.id", ondelete="SET NULL")
    )
    # GET with `page` and `limit` when the queue runs low; an empty page means no more.
    phone_numbers_url: Mapped[str | None] = mapped_column(String(2000))
    page_size: Mapped[int] = mapped_column(default=100)
    next_page: Mapped[int] = mapped_column(default=1)
    exhausted: Mapped[bool] = mapped_column(default=False)
    pages_fetched: Mapped[int] = mapped_column(default=0)
    last_fetch_error: Mapped[str | None] = mapped_column(Text)
