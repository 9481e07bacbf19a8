"""Calls: `/api/v1/calls` and their lifecycle actions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from phonebank.auth.dependencies import DbSession
from phonebank.calls import service
from phonebank.calls.dependencies import (
    CallsAttempter,
    CallsCanceller,
    CallsCompleter,
    CallsExpirer,
    CallsReader,
    CallsWriter,
)
from phonebank.calls.filling import CallsAdded, fill_campaign
from phonebank.calls.models import Call
from phonebank.calls.schemas import (
    AttemptIn,
    CallCreate,
    CallOut,
    CallsAddedOut,
    CallStatus,
    CampaignCallsAdd,
    CancelIn,
    CompleteIn,
    ExpireIn,
)
from phonebank.campaigns.service import get_campaign
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.kit.times import UTCTimestamp
from phonebank.organizations.service import get_organization

router = APIRouter(prefix="/calls", tags=["calls"])


@router.get("", response_model=Page[CallOut])
async def list_calls(
    request: Request,
    principal: CallsReader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    status_: Annotated[CallStatus | None, Query(alias="status")] = None,
    campaign_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    requested_after: UTCTimestamp | None = None,
    updated_after: UTCTimestamp | None = None,
) -> Page[CallOut]:
    """List calls, newest first, filtered by status, campaign, person or time."""
    filters = service.CallFilters(
        status=status_,
        campaign_id=campaign_id,
        person_id=person_id,
        requested_after=requested_after,
        updated_after=updated_after,
    )
    rows, total = await service.list_calls(
        session, organization_id=principal.organization_id, filters=filters, params=params
    )
    return build_page(request, params, rows, total, CallOut)


@router.post("", response_model=CallOut, status_code=status.HTTP_201_CREATED)
async def create_call(body: CallCreate, principal: CallsWriter, session: DbSession) -> Call:
    """Create a call; posting the same `id` twice is a 409 and creates nothing."""
    organization = await get_organization(session, principal.organization_id)
    return await service.create_call(session, organization=organization, data=body)


@router.get("/{call_id}", response_model=CallOut)
async def get_call(call_id: uuid.UUID, principal: CallsReader, session: DbSession) -> Call:
    """One call with its attempts."""
    return await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_id
    )


@router.post("/{call_id}/attempts", response_model=CallOut, status_code=status.HTTP_201_CREATED)
async def add_attempt(
    call_id: uuid.UUID, principal: CallsAttempter, session: DbSession, body: AttemptIn = AttemptIn()
) -> Call:
    """Record an attempt; the last allowed attempt expires the call."""
    call = await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_id
    )
    await service.add_attempt(session, call=call, data=body)
    return call


@router.post("/{call_id}/complete", response_model=CallOut)
async def complete_call(
    call_id: uuid.UUID,
    principal: CallsCompleter,
    session: DbSession,
    body: CompleteIn = CompleteIn(),
) -> Call:
    """Complete a requested call with its result."""
    call = await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_id
    )
    return await service.complete_call(
        session,
        call=call,
        user_uuid=body.user_uuid,
        result=body.result,
        completed_at=body.completed_at,
    )


@router.post("/{call_id}/cancel", response_model=CallOut)
async def cancel_call(
    call_id: uuid.UUID, principal: CallsCanceller, session: DbSession, body: CancelIn = CancelIn()
) -> Call:
    """Cancel a requested call."""
    call = await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_id
    )
    return await service.cancel_call(session, call=call, cancelled_at=body.cancelled_at)


@router.post("/{call_id}/expire", response_model=CallOut)
async def expire_call(
    call_id: uuid.UUID, principal: CallsExpirer, session: DbSession, body: ExpireIn = ExpireIn()
) -> Call:
    """Expire a requested call."""
    call = await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_id
    )
    return await service.expire_call(session, call=call, expired_at=body.expired_at)


campaign_calls_router = APIRouter(prefix="/campaigns/{campaign_id}/calls", tags=["calls"])


@campaign_calls_router.get("", response_model=Page[CallOut])
async def list_campaign_calls(
    campaign_id: uuid.UUID,
    request: Request,
    principal: CallsReader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    status_: Annotated[CallStatus | None, Query(alias="status")] = None,
) -> Page[CallOut]:
    """The campaign's calls, newest first."""
    campaign = await get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    filters = service.CallFilters(status=status_, campaign_id=campaign.id)
    rows, total = await service.list_calls(
        session, organization_id=principal.organization_id, filters=filters, params=params
    )
    return build_page(request, params, rows, total, CallOut)


@campaign_calls_router.post("", response_model=CallsAddedOut, status_code=status.HTTP_201_CREATED)
async def add_campaign_calls(
    campaign_id: uuid.UUID, body: CampaignCallsAdd, principal: CallsWriter, session: DbSession
) -> CallsAdded:
    """Add a call for each person (by id, on a list, or with a tag) not already in the campaign."""
    campaign = await get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    return await fill_campaign(
        session,
        campaign=campaign,
        person_ids=body.person_ids,
        list_id=body.list_id,
        tag_id=body.tag_id,
        call_type=body.type,
    )
