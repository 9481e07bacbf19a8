"""Blocked numbers: `/api/v1/blocked_numbers`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.blocked_numbers import service
from phonebank.blocked_numbers.schemas import (
    BlockedNumberBulkCreate,
    BlockedNumberCreate,
    BlockedNumberOut,
    BulkResult,
    NumberCheck,
)
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization

router = APIRouter(prefix="/blocked_numbers", tags=["blocked numbers"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]


@router.get("", response_model=Page[BlockedNumberOut])
async def list_blocked_numbers(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    campaign_id: Annotated[uuid.UUID | None, Query(description="Only this campaign's.")] = None,
    scope: Annotated[
        service.EntryScope | None, Query(description="`organization` or `campaign` entries.")
    ] = None,
    number: Annotated[str | None, Query(description="A phone number in any form.")] = None,
) -> Page[BlockedNumberOut]:
    """List blocked numbers, newest first, filtered by campaign, scope or number."""
    organization = await get_organization(session, principal.organization_id)
    rows, total = await service.list_blocked_numbers(
        session,
        organization=organization,
        params=params,
        campaign_id=campaign_id,
        scope=scope,
        number=number,
    )
    return build_page(request, params, rows, total, BlockedNumberOut)


@router.post("", response_model=BlockedNumberOut, status_code=status.HTTP_201_CREATED)
async def add_blocked_number(
    body: BlockedNumberCreate, principal: Writer, session: DbSession
) -> object:
    """Block a number in the whole organization, or in one campaign with `campaign_id`."""
    organization = await get_organization(session, principal.organization_id)
    return await service.add_blocked_number(session, organization=organization, data=body)


@router.post("/bulk", response_model=BulkResult)
async def bulk_add_blocked_numbers(
    body: BlockedNumberBulkCreate, principal: Writer, session: DbSession
) -> BulkResult:
    """Block many numbers at once; existing ones are skipped, bad ones reported by index."""
    organization = await get_organization(session, principal.organization_id)
    return await service.add_blocked_numbers(session, organization=organization, data=body)


@router.get("/check", response_model=NumberCheck)
async def check_number(
    principal: Reader,
    session: DbSession,
    number: Annotated[str, Query(description="A phone number in any form.")],
    campaign_id: Annotated[
        uuid.UUID | None, Query(description="The campaign to check; omitted: organization-wide.")
    ] = None,
) -> NumberCheck:
    """Whether a number may not be dialed in a campaign, with the entries that block it."""
    organization = await get_organization(session, principal.organization_id)
    return await service.check_number(
        session, organization=organization, number=number, campaign_id=campaign_id
    )


@router.get("/{blocked_number_id}", response_model=BlockedNumberOut)
async def get_blocked_number(
    blocked_number_id: uuid.UUID, principal: Reader, session: DbSession
) -> object:
    """One blocked number."""
    return await service.get_blocked_number(
        session, organization_id=principal.organization_id, blocked_number_id=blocked_number_id
    )


@router.delete("/{blocked_number_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_blocked_number(
    blocked_number_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Unblock a number: remove this entry."""
    entry = await service.get_blocked_number(
        session, organization_id=principal.organization_id, blocked_number_id=blocked_number_id
    )
    await service.delete_blocked_number(session, entry=entry)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
