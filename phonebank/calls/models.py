"""Calls (a request to reach one person in one campaign), their attempts and results."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phonebank.db import Base, IdMixin, JSONType, TimestampMixin, utcnow

CALL_STATUSES = ("requested", "completed", "cancelled", "expired")
ATTEMPT_OUTCOMES = (
    "human",
    "machine",
    "busy",
    "no_answer",
    "failed",
    "abandoned",
    "rejected",
    "not_dialed",
    "skipped",
    "cancelled",
)
# Attempts that took a call but never dialed it (let go, or skipped by the caller in preview):
# they are not dials and do not count against the call's attempts.
UNDIALED_OUTCOMES = frozenset({"not_dialed", "skipped"})


class Call(IdMixin, TimestampMixin, Base):
    """A request to reach one person in one campaign; end states are final."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'completed', 'cancelled', 'expired')", name="status"
        ),
        CheckConstraint("type IN ('verification', 'happy_call', 'winback')", name="type"),
        Index("ix_calls_org_created", "organization_id", "created_at"),
        # The queue walks this index in order and stops after the first callable rows.
        Index(
            "ix_calls_queue",
            "campaign_id",
            "status",
            text("priority DESC"),
            "next_call_at",
            "id",
        ),
        Index("ix_calls_campaign_zone", "campaign_id", "status", "time_zone"),
        Index("ix_calls_campaign_person", "campaign_id", "person_id"),
        Index("ix_calls_person", "person_id"),
        # A client's own key for a call (OBI externalId), unique within the campaign.
        Index("uq_calls_campaign_external_id", "campaign_id", "external_id", unique=True),
        # Only calls being dialed right now: small, and what "number not in flight" asks.
        Index(
            "ix_calls_in_flight",
            "organization_id",
            "next_number",
            sqlite_where=text("dialing_since IS NOT NULL"),
            postgresql_where=text("dialing_since IS NOT NULL"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="requested")
    type: Mapped[str] = mapped_column(String(20), default="verification")
    # Up to three E.164 numbers in priority order, and which one the next attempt dials.
    numbers: Mapped[list[Any]] = mapped_column(default=list)
    next_number_index: Mapped[int] = mapped_column(default=0)
    # numbers[next_number_index], kept beside it so queue queries need no JSON functions.
    next_number: Mapped[str | None] = mapped_column(String(20))
    # The zone(s) of next_number, `|`-joined when its prefix spans several.
    time_zone: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(default=0)
    # When the call is next due: its creation for a new call, later for a retry or callback.
    next_call_at: Mapped[datetime] = mapped_column(default=utcnow)
    preferred_caller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("callers.id", ondelete="SET NULL")
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    external_id: Mapped[str | None] = mapped_column(String(200))
    # How the client asked this contact to be dialed (OBI customer dialingMode, previewTime).
    dialing_mode: Mapped[str | None] = mapped_column(String(20))
    preview_seconds: Mapped[int | None]
    attempts_count: Mapped[int] = mapped_column(default=0)
    # Set while the dialer has a dial of this call in flight.
    dialing_since: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # The disposition as the client gave it (TapRaise leaves its shape open: any JSON).
    result: Mapped[Any] = mapped_column(JSONType, nullable=True)
    external_metadata: Mapped[dict[str, Any] | None] = mapped_column()
    pledge_case_uuid: Mapped[uuid.UUID | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_user_uuid: Mapped[uuid.UUID | None]
    completed_at: Mapped[datetime | None]
    completed_by_user_uuid: Mapped[uuid.UUID | None]
    cancelled_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]

    attempts: Mapped[list["Attempt"]] = relationship(
        cascade="all, delete-orphan", order_by="Attempt.attempted_at", lazy="selectin"
    )


class Attempt(IdMixin, Base):
    """One dial of one number (or one attempt reported through the API)."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('human', 'machine', 'busy', 'no_answer', 'failed',"
            " 'abandoned', 'rejected', 'not_dialed', 'skipped', 'cancelled')",
            name="outcome",
        ),
        Index("ix_attempts_campaign_time", "campaign_id", "attempted_at"),
        Index("ix_attempts_call", "call_id"),
    )

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(20))
    user_uuid: Mapped[uuid.UUID | None]
    caller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("callers.id", ondelete="SET NULL")
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))
    cause: Mapped[str | None] = mapped_column(String(100))
    ringing_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    bridged_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    wrap_ended_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(40))
    carrier_call_id: Mapped[str | None] = mapped_column(String(100), index=True)


class Result(IdMixin, TimestampMixin, Base):
    """The disposition of a completed contact, with the answers to script questions."""

    __tablename__ = "results"
    __table_args__ = (Index("ix_results_campaign_created", "campaign_id", "created_at"),)

    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), unique=True
    )
    caller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("callers.id", ondelete="SET NULL")
    )
    disposition: Mapped[str] = mapped_column(String(100))
    notes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class Answer(IdMixin, TimestampMixin, Base):
    """A person's answer to one question, given on a call (with its result) or at signup.

    Choice questions keep the keys of the responses chosen; Paragraph questions keep `value`.
    """

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_person_created", "person_id", "created_at"),)

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # Set when the answer was given on a call; signup answers have no result.
    result_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    responses: Mapped[list[Any]] = mapped_column(default=list)
    value: Mapped[str | None] = mapped_column(Text)
