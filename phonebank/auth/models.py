"""Service accounts and their API keys (stored hashed, shown once)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phonebank.db import Base, IdMixin, TimestampMixin


class ServiceAccount(IdMixin, TimestampMixin, Base):
    """A machine identity of one organization, holding a set of scopes."""

    __tablename__ = "service_accounts"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    disabled: Mapped[bool] = mapped_column(default=False)

    api_keys: Mapped[list["ApiKey"]] = relationship(
        back_populates="service_account", cascade="all, delete-orphan", lazy="selectin"
    )


class ApiKey(IdMixin, TimestampMixin, Base):
    """One secret of a service account; only its SHA-256 digest is stored."""

    __tablename__ = "api_keys"

    service_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_accounts.id", ondelete="CASCADE"), index=True
    )
    # The public half of the key (`pb_<key_id>_<secret>`), used to find the row.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # After this moment the key is refused (401); None: it never expires.
    expires_at: Mapped[datetime | None]

    service_account: Mapped[ServiceAccount] = relationship(back_populates="api_keys")
