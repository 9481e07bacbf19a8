"""Callers (agents, volunteers), caller groups, and caller sessions with their time ledger."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin, utcnow

SESSION_STATES = (
    "available",
    "previewing",
    "dialing",
    "connected",
    "wrap_up",
    "paused",
    "ended",
)
_STATES_SQL = ", ".join(f"'{state}'" for state in SESSION_STATES)


class CallerGroup(IdMixin, TimestampMixin, Base):
    """A team of callers (OBI queue); a campaign names the group that calls it."""

    __tablename__ = "caller_groups"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))


class Caller(IdMixin, TimestampMixin, Base):
    """A person who makes calls; logs in with email and password or a campaign PIN."""

    __tablename__ = "callers"
    __table_args__ = (
        UniqueConstraint("organization_id", "email"),
        Index("ix_callers_organization_id_pin_lookup", "organization_id", "pin_lookup"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    # A keyed digest of (organization, PIN): a PIN login finds its caller by it and checks one
    # argon2 hash, not one per caller. NULL for PINs set before it existed (checked the slow way).
    pin_lookup: Mapped[str | None] = mapped_column(String(64))
    phone_number: Mapped[str | None] = mapped_column(String(20))
    # Calls from a phone only (no browser): the dialer rings this number to connect the caller.
    phones_only: Mapped[bool] = mapped_column(default=False)
    is_supervisor: Mapped[bool] = mapped_column(default=False)
    # An organizer runs the organization's console with full rights (and is a supervisor too);
    # a supervisor who is not one sees only the live floor and reports.
    is_organizer: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    caller_group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("caller_groups.id", ondelete="SET NULL")
    )

    @property
    def has_password(self) -> bool:
        """Whether the caller can log in with email and password."""
        return self.password_hash is not None

    @property
    def has_pin(self) -> bool:
        """Whether the caller can log in with a PIN."""
        return self.pin_hash is not None


class CallerSession(IdMixin, Base):
    """One caller logged into one campaign, with its current state."""

    __tablename__ = "caller_sessions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES_SQL})", name="state"),
        Index("ix_caller_sessions_campaign_state", "campaign_id", "state"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    caller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("callers.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="available")
    state_since: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))
    current_call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL")
    )
    # When the caller's page last showed it was there (its WebSocket or a heartbeat); NULL
    # when presence is not a page's (phones-only callers, simulated callers).
    last_seen_at: Mapped[datetime | None]


class CallerSessionSpan(IdMixin, Base):
    """The time ledger: one span per state a session was in; statistics sum these."""

    __tablename__ = "caller_session_spans"
    __table_args__ = (CheckConstraint(f"state IN ({_STATES_SQL})", name="state"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("caller_sessions.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
