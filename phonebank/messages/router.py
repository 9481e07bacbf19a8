"""Recorded messages: `/api/v1/messages`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.messages import service
from phonebank.messages.schemas import MessageCreate, MessageKind, MessageOut, MessageUpdate

router = APIRouter(prefix="/messages", tags=["messages"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]


@router.get("", response_model=Page[MessageOut])
async def list_messages(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[MessageKind | None, Query(description="Only messages of this kind.")] = None,
) -> Page[MessageOut]:
    """List recorded messages, newest first, optionally of one kind."""
    rows, total = await service.list_messages(
        session, organization_id=principal.organization_id, params=params, kind=kind
    )
    return build_page(request, params, rows, total, MessageOut)


@router.post("", response_model=MessageOut, status_code=status.HTTP_201_CREATED)
async def create_message(body: MessageCreate, principal: Writer, session: DbSession) -> object:
    """Create a message from an audio URL, a text to be spoken, or both."""
    return await service.create_message(
        session, organization_id=principal.organization_id, data=body
    )


@router.get("/{message_id}", response_model=MessageOut)
async def get_message(message_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One message."""
    return await service.get_message(
        session, organization_id=principal.organization_id, message_id=message_id
    )


@router.patch("/{message_id}", response_model=MessageOut)
async def update_message(
    message_id: uuid.UUID, body: MessageUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a message; it must keep an audio URL or a text."""
    message = await service.get_message(
        session, organization_id=principal.organization_id, message_id=message_id
    )
    return await service.update_message(session, message=message, data=body)


@router.delete("/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_message(message_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a message; campaigns using it are left without one."""
    message = await service.get_message(
        session, organization_id=principal.organization_id, message_id=message_id
    )
    await service.delete_message(session, message=message)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
