"""Which dialer process drives each started campaign: a lease, renewed while it runs."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base


class DialerLease(Base):
    """One campaign's lease: held by `owner` until `expires_at` unless renewed."""

    __tablename__ = "dialer_leases"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(200))
    # Grows at every change of owner: a holder knows its lease by owner and token.
    token: Mapped[int]
    acquired_at: Mapped[datetime]
    heartbeat: Mapped[datetime]
    expires_at: Mapped[datetime]
