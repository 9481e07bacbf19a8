"""Webhook subscriptions and their durable delivery records (the outbox)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin, utcnow

# pending: waiting for its first try; retrying: failed, tried again later; delivered; dead:
# every try failed (it waits for a replay).
DELIVERY_STATUSES = ("pending", "retrying", "delivered", "dead")


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    """A URL that receives the named events, signed with the subscription's secret."""

    __tablename__ = "webhook_subscriptions"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]] = mapped_column(default=list)
    # Kept as given: it signs payloads (HMAC), so it must be readable; never logged.
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # None: every event of the organization; `campaign:<id>` or `upload:<id>`: only that one's
    # (a hosted dialing's call-state URL, a number upload's notification URL).
    scope: Mapped[str | None] = mapped_column(String(100), index=True)


class WebhookDelivery(IdMixin, Base):
    """One event for one subscription, written with the change and retried until delivered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        # A receiver deduplicates by event id: one event never reaches a subscription twice.
        UniqueConstraint("subscription_id", "event_id"),
    )

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    # The event's own id, the same in every subscription's delivery of it.
    event_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    event: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None]
    last_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
