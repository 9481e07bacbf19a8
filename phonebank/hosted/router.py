"""The hosted dialing API: `/api/v1/call` and uploaded number lists."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.hosted import service
from phonebank.hosted.schemas import (
    HostedCallCreate,
    HostedCallCreated,
    HostedCallOut,
    UploadCreate,
    UploadCreated,
    UploadOut,
)
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization

router = APIRouter(tags=["hosted dialing"])
CallReader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
CallWriter = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
ListReader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
ListWriter = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]


@router.get("/call", response_model=Page[HostedCallOut], response_model_by_alias=True)
async def list_calls(
    request: Request,
    principal: CallReader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[HostedCallOut]:
    """List hosted dialings, newest first."""
    rows, total = await service.list_hosted(
        session, organization_id=principal.organization_id, params=params
    )
    return build_page(request, params, rows, total, HostedCallOut)


@router.post(
    "/call",
    response_model=HostedCallCreated,
    response_model_by_alias=True,
    status_code=status.HTTP_201_CREATED,
)
async def start_call(body: HostedCallCreate, principal: CallWriter, session: DbSession) -> object:
    """Start dialing numbers given inline, fetched from `phone_numbers_url`, or uploaded."""
    organization = await get_organization(session, principal.organization_id)
    return await service.start_hosted_call(session, organization=organization, data=body)


@router.get("/call/{hosted_id}", response_model=HostedCallOut, response_model_by_alias=True)
async def get_call(hosted_id: uuid.UUID, principal: CallReader, session: DbSession) -> object:
    """A hosted dialing: its status, counts and how far its numbers URL has been read."""
    return await service.get_hosted(
        session, organization_id=principal.organization_id, hosted_id=hosted_id
    )


@router.get("/phone_number_lists", response_model=Page[UploadOut])
async def list_uploads(
    request: Request,
    principal: ListReader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[UploadOut]:
    """List uploaded number lists, newest first."""
    rows, total = await service.list_uploads(
        session, organization_id=principal.organization_id, params=params
    )
    return build_page(request, params, rows, total, UploadOut)


@router.post("/phone_number_lists", response_model=UploadCreated, status_code=201)
async def upload_numbers(body: UploadCreate, principal: ListWriter, session: DbSession) -> object:
    """Upload numbers under your identifier; `webhook_url` is told when they are processed."""
    organization = await get_organization(session, principal.organization_id)
    return await service.create_upload(session, organization=organization, data=body)


@router.get("/phone_number_lists/{identifier}", response_model=UploadOut)
async def get_upload(identifier: str, principal: ListReader, session: DbSession) -> object:
    """An uploaded list by your identifier, with the numbers it refused."""
    return await service.get_upload(
        session, organization_id=principal.organization_id, identifier=identifier
    )
