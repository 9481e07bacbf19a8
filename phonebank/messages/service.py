"""Recorded messages: create, read, update, delete and list by kind."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Invalid
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.messages.models import Message
from phonebank.messages.schemas import MessageCreate, MessageUpdate


def _require_audio_or_text(message: Message) -> None:
    # Checked on the stored result, so a PATCH cannot clear both either.
    if message.audio_url is None and message.text is None:
        raise Invalid("give an audio_url, a text to be spoken, or both", field="audio_url")


async def create_message(
    session: AsyncSession, *, organization_id: uuid.UUID, data: MessageCreate
) -> Message:
    """Store a new message of the organization."""
    message = Message(organization_id=organization_id, **data.model_dump())
    _require_audio_or_text(message)
    session.add(message)
    await session.flush()
    return message


async def get_message(
    session: AsyncSession, *, organization_id: uuid.UUID, message_id: uuid.UUID
) -> Message:
    """One message of the organization, or NotFound."""
    return await get_owned(
        session, Message, message_id, organization_id=organization_id, what="message"
    )


async def update_message(
    session: AsyncSession, *, message: Message, data: MessageUpdate
) -> Message:
    """Apply the fields present in `data`."""
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(message, name, value)
    _require_audio_or_text(message)
    await session.flush()
    return message


async def delete_message(session: AsyncSession, *, message: Message) -> None:
    """Remove a message; campaigns that used it are left without one."""
    await session.delete(message)
    await session.flush()


async def list_messages(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    kind: str | None = None,
) -> tuple[Sequence[Message], int]:
    """A page of the organization's messages, newest first, optionally of one kind."""
    statement = select(Message).where(Message.organization_id == organization_id)
    if kind is not None:
        statement = statement.where(Message.kind == kind)
    statement = statement.order_by(Message.created_at.desc(), Message.id)
    return await fetch_page(session, statement, params)
