"""Campaigns: `/api/v1/campaigns`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import status as http_status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.campaigns import service
from phonebank.campaigns.schemas import (
    CampaignCreate,
    CampaignOut,
    CampaignStatus,
    CampaignUpdate,
    DialingModeQuery,
)
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
# OSDI's `manual` is accepted as a filter too; it means preview.
DialingModeFilter = Annotated[
    DialingModeQuery | None, Query(description="preview, power or predictive.")
]


@router.get("", response_model=Page[CampaignOut])
async def list_campaigns(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[CampaignStatus | None, Query(description="Only this status.")] = None,
    dialing_mode: DialingModeFilter = None,
) -> Page[CampaignOut]:
    """List campaigns, newest first, filtered by status or dialing mode, with call counts."""
    rows, total = await service.list_campaigns(
        session,
        organization_id=principal.organization_id,
        params=params,
        status=status,
        dialing_mode=dialing_mode,
    )
    return build_page(request, params, rows, total, CampaignOut)


@router.post("", response_model=CampaignOut, status_code=http_status.HTTP_201_CREATED)
async def create_campaign(body: CampaignCreate, principal: Writer, session: DbSession) -> object:
    """Create a campaign; the time zone defaults to the organization's."""
    organization = await get_organization(session, principal.organization_id)
    campaign = await service.create_campaign(session, organization=organization, data=body)
    return await service.with_totals(session, campaign=campaign)


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One campaign, with its total and completed call counts."""
    campaign = await service.get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    return await service.with_totals(session, campaign=campaign)


@router.patch("/{campaign_id}", response_model=CampaignOut)
async def update_campaign(
    campaign_id: uuid.UUID, body: CampaignUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a campaign; a new `status` follows the same rules as the status actions."""
    organization = await get_organization(session, principal.organization_id)
    campaign = await service.get_campaign(
        session, organization_id=organization.id, campaign_id=campaign_id
    )
    campaign = await service.update_campaign(
        session, organization=organization, campaign=campaign, data=body
    )
    return await service.with_totals(session, campaign=campaign)


@router.delete("/{campaign_id}", status_code=http_status.HTTP_204_NO_CONTENT)
async def delete_campaign(
    campaign_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a campaign that is not started, with its calls."""
    campaign = await service.get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    await service.delete_campaign(session, campaign=campaign)
    return Response(status_code=http_status.HTTP_204_NO_CONTENT)


async def _run_action(
    session: DbSession, principal: Principal, campaign_id: uuid.UUID, action: str
) -> object:
    campaign = await service.get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    campaign = await service.apply_action(session, campaign=campaign, action=action)
    return await service.with_totals(session, campaign=campaign)


@router.post("/{campaign_id}/start", response_model=CampaignOut)
async def start_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> object:
    """Start calling (from draft, scheduled or paused)."""
    return await _run_action(session, principal, campaign_id, "start")


@router.post("/{campaign_id}/pause", response_model=CampaignOut)
async def pause_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> object:
    """Pause a started campaign."""
    return await _run_action(session, principal, campaign_id, "pause")


@router.post("/{campaign_id}/stop", response_model=CampaignOut)
async def stop_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> object:
    """Stop a campaign for good; a stopped campaign cannot change status again."""
    return await _run_action(session, principal, campaign_id, "stop")


@router.post("/{campaign_id}/resume", response_model=CampaignOut)
async def resume_campaign(campaign_id: uuid.UUID, principal: Writer, session: DbSession) -> object:
    """Resume a paused campaign."""
    return await _run_action(session, principal, campaign_id, "resume")
