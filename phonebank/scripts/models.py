"""Call scripts: texts, questions with possible responses, note fields and transfers."""

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from phonebank.db import Base, IdMixin, TimestampMixin

QUESTION_TYPES = ("SingleChoice", "MultiChoice", "Paragraph")
TRANSFER_TYPES = ("warm", "cold")


class Script(IdMixin, TimestampMixin, Base):
    """What callers read and ask; `selected_fields` are the contact fields callers see."""

    __tablename__ = "scripts"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    origin_system: Mapped[str | None] = mapped_column(String(200))
    # System fields ("given_name", "phone_number", ...) or custom ones ("custom_fields.district").
    selected_fields: Mapped[list[Any]] = mapped_column(default=list)

    texts: Mapped[list["ScriptText"]] = relationship(
        cascade="all, delete-orphan", order_by="ScriptText.position", lazy="selectin"
    )
    questions: Mapped[list["Question"]] = relationship(
        cascade="all, delete-orphan", order_by="Question.position", lazy="selectin"
    )
    note_fields: Mapped[list["NoteField"]] = relationship(
        cascade="all, delete-orphan", order_by="NoteField.position", lazy="selectin"
    )
    transfers: Mapped[list["Transfer"]] = relationship(
        cascade="all, delete-orphan", order_by="Transfer.position", lazy="selectin"
    )


class ScriptText(IdMixin, Base):
    """A section of text; texts and questions share one `position` order."""

    __tablename__ = "script_texts"

    script_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)


class Question(IdMixin, TimestampMixin, Base):
    """A question the caller asks, of one of the OSDI question types."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(
            "question_type IN ('SingleChoice', 'MultiChoice', 'Paragraph')", name="question_type"
        ),
    )

    script_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    question_type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)

    responses: Mapped[list["QuestionResponse"]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionResponse.position", lazy="selectin"
    )


class QuestionResponse(IdMixin, Base):
    """A possible response of a choice question; `key` is what clients send back."""

    __tablename__ = "question_responses"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))


class NoteField(IdMixin, Base):
    """A free-text field the caller fills in (a note), shown after the script."""

    __tablename__ = "note_fields"

    script_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))


class Transfer(IdMixin, Base):
    """A number a connected contact can be handed to, warm (caller stays) or cold."""

    __tablename__ = "transfers"
    __table_args__ = (CheckConstraint("transfer_type IN ('warm', 'cold')", name="transfer_type"),)

    script_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    phone_number: Mapped[str] = mapped_column(String(20))
    transfer_type: Mapped[str] = mapped_column(String(10), default="warm")
