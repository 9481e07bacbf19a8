"""Campaigns (= OSDI phonebank = OBI campaign): who is called, how, when, with what script."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.campaigns.codes import new_access_code
from phonebank.db import Base, IdMixin, TimestampMixin

CAMPAIGN_STATUSES = ("draft", "scheduled", "started", "paused", "stopped")
DIALING_MODES = ("preview", "power", "predictive")
CALL_TYPES = ("verification", "happy_call", "winback")
# The legal ceiling on abandoned calls, in percent of answered calls.
MAX_ABANDON_RATE = 3.0
MIN_RING_TIMEOUT_SECONDS = 15


class Campaign(IdMixin, TimestampMixin, Base):
    """One calling effort, with its dialing mode, calling window and retry policy."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'scheduled', 'started', 'paused', 'stopped')", name="status"
        ),
        CheckConstraint("dialing_mode IN ('preview', 'power', 'predictive')", name="dialing_mode"),
        CheckConstraint("daily_start_hour BETWEEN 0 AND 23", name="daily_start_hour"),
        CheckConstraint("daily_stop_hour BETWEEN 0 AND 23", name="daily_stop_hour"),
        CheckConstraint("abandon_rate_target >= 0 AND abandon_rate_target <= 3", name="abandon"),
        CheckConstraint("ring_timeout_seconds >= 15", name="ring_timeout"),
        CheckConstraint("retry_count >= 0", name="retry_count"),
        CheckConstraint(
            "increase_predictive_ratio >= 0 AND increase_predictive_ratio <= 100",
            name="increase_predictive_ratio",
        ),
        CheckConstraint("power_ratio > 0", name="power_ratio"),
        CheckConstraint(
            "end_time IS NULL OR start_time IS NULL OR end_time > start_time", name="time_order"
        ),
        Index("ix_campaigns_org_status", "organization_id", "status"),
        # One inbox per call type and organization, even when two first calls race.
        Index(
            "uq_campaigns_org_inbox",
            "organization_id",
            "inbox_type",
            unique=True,
            sqlite_where=text("inbox_type IS NOT NULL"),
            postgresql_where=text("inbox_type IS NOT NULL"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    origin_system: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    dialing_mode: Mapped[str] = mapped_column(String(20), default="preview")
    # A pacer by its registered name (dialer/pacers/registry.py), overriding the mode's pacer.
    pacer: Mapped[str | None] = mapped_column(String(300))

    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]
    daily_start_hour: Mapped[int] = mapped_column(default=9)
    daily_stop_hour: Mapped[int] = mapped_column(default=21)
    time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York")

    caller_id: Mapped[str | None] = mapped_column(String(20))
    voicemail_audio_url: Mapped[str | None] = mapped_column(String(2000))
    voicemail_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    safe_harbor_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    script_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scripts.id", ondelete="SET NULL")
    )
    target_list_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lists.id", ondelete="SET NULL")
    )
    volunteers_list_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lists.id", ondelete="SET NULL")
    )
    caller_group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("caller_groups.id", ondelete="SET NULL")
    )

    # Retry policy: OBI RetryCount (3 retries = 4 attempts) and per-outcome delays.
    retry_count: Mapped[int] = mapped_column(default=3)
    retry_delay_busy_seconds: Mapped[int] = mapped_column(default=900)
    retry_delay_no_answer_seconds: Mapped[int] = mapped_column(default=3600)
    retry_delay_machine_seconds: Mapped[int] = mapped_column(default=3600)
    retry_delay_failed_seconds: Mapped[int] = mapped_column(default=3600)
    retry_delay_abandoned_seconds: Mapped[int] = mapped_column(default=86400)

    abandon_rate_target: Mapped[float] = mapped_column(default=1.0)
    # OBI increasePredictiveRatio: percent of recent dials placed for busy callers (0-100),
    # kept up to date by a running predictive dialer (see `dialer/stats.py`).
    increase_predictive_ratio: Mapped[float] = mapped_column(default=0.0, server_default="0")
    ring_timeout_seconds: Mapped[int] = mapped_column(default=20)
    power_ratio: Mapped[float] = mapped_column(default=1.0)
    # Preview mode: dial by itself after this many seconds of preview (None: the caller dials).
    preview_seconds: Mapped[int | None]
    # Set on an organization's inbox campaign for calls created without one (TapRaise clients).
    inbox_type: Mapped[str | None] = mapped_column(String(20))
    # Volunteers log in with this code and their PIN; unique across organizations.
    access_code: Mapped[str | None] = mapped_column(
        String(16), unique=True, default=new_access_code
    )
