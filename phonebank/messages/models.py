"""Recorded audio: voicemail drops and the safe-harbor message for abandoned calls."""

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from phonebank.db import Base, IdMixin, TimestampMixin

MESSAGE_KINDS = ("voicemail", "safe_harbor", "hold", "other")


class Message(IdMixin, TimestampMixin, Base):
    """A piece of audio, by URL, or text to be spoken where no recording is given."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('voicemail', 'safe_harbor', 'hold', 'other')", name="message_kind"
        ),
        CheckConstraint("audio_url IS NOT NULL OR text IS NOT NULL", name="audio_or_text"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="voicemail")
    audio_url: Mapped[str | None] = mapped_column(String(2000))
    text: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None]
