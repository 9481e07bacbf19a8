"""OSDI phone banks (campaigns) and phone bank results."""

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.calls.results import get_result, list_results
from phonebank.campaigns import service
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import CampaignCreate, CampaignUpdate
from phonebank.errors import DomainError
from phonebank.identifiers.service import forget_identifiers
from phonebank.organizations.service import get_organization
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, id_from_reference, notice, validated
from phonebank.osdi.routing import Listing, created, shown_with_ids
from phonebank.osdi.schemas import PhoneBankIn

router = APIRouter(tags=["OSDI phone banks"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_WRITE))]
KIND = "campaign"
# OSDI links a phone bank body may carry: (rel, collection of the target, campaign field).
LINKS = (
    ("osdi:script", "scripts", "script_id"),
    ("osdi:target_list", "lists", "target_list_id"),
    ("osdi:volunteers", "lists", "volunteers_list_id"),
)
_FIELD_NAMES = {field: f"_links.{rel}" for rel, _, field in LINKS} | {"dialing_mode": "type"}
# OSDI statuses with no campaign status of their own.
STATUS_ALIASES = {"pending": "draft"}
_FIELDS = {
    "origin_system",
    "name",
    "title",
    "description",
    "summary",
    "start_time",
    "end_time",
    "daily_start_hour",
    "daily_stop_hour",
    "time_zone",
    "caller_id",
    "status",
    "voicemail_audio_url",
}


@contextmanager
def osdi_field_names() -> Iterator[None]:
    """Report fields in errors by their OSDI names (`_links.osdi:script`, not `script_id`)."""
    try:
        yield
    except DomainError as error:
        if error.field:
            error.field = _FIELD_NAMES.get(error.field, error.field)
        raise


def _campaign_fields(body: PhoneBankIn) -> dict[str, Any]:
    data = body.model_dump(include=_FIELDS, exclude_unset=True)
    mode = body.dialing_mode if "dialing_mode" in body.model_fields_set else body.type
    if mode is not None:
        data["dialing_mode"] = mode
    if isinstance(data.get("status"), str):
        data["status"] = STATUS_ALIASES.get(data["status"].lower(), data["status"].lower())
    for rel, target, field in LINKS:
        reference = body.link_href(rel)
        if reference is not None:
            data[field] = id_from_reference(reference, collection=target, field=f"_links.{rel}")
    return data


async def _shown(session: DbSession, campaign: Campaign) -> HalResponse:
    totals = await service.with_totals(session, campaign=campaign)
    return await shown_with_ids(session, totals, kind=KIND, shown=show.phone_bank)


async def _saved(
    session: DbSession,
    organization_id: uuid.UUID,
    body: PhoneBankIn,
    save: Callable[[dict[str, Any]], Awaitable[Campaign]],
    done: str,
) -> Response:
    """Save the campaign from the body's fields and keep its foreign identifiers, errors named
    the OSDI way; then the phone bank, or `done` when the client asked for no resource."""
    with osdi_field_names():
        campaign = await save(_campaign_fields(body))
        return await created(
            session,
            campaign,
            organization_id=organization_id,
            kind=KIND,
            body=body,
            done=done,
            respond=_shown,
        )


@router.get("/phone_bank")
async def list_phone_banks(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """Phone banks, newest first, with `total_completed`; `filter` on modified/created_date."""
    found = await service.list_campaigns(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return await listing.page_with_ids(
        session, "phone_bank", found, kind=KIND, shown=show.phone_bank
    )


@router.post("/phone_bank")
async def create_phone_bank(body: PhoneBankIn, principal: Writer, session: DbSession) -> Response:
    """Create a phone bank; `osdi:script`, `osdi:target_list`, `osdi:volunteers` link ours."""
    organization = await get_organization(session, principal.organization_id)

    async def create(fields: dict[str, Any]) -> Campaign:
        data = validated(CampaignCreate, fields)
        return await service.create_campaign(session, organization=organization, data=data)

    return await _saved(session, organization.id, body, create, "The phone bank was created.")


@router.get("/phone_bank/{phone_bank_id}")
async def get_phone_bank(
    phone_bank_id: uuid.UUID, principal: Reader, session: DbSession
) -> Response:
    """One phone bank."""
    campaign = await service.get_campaign(
        session, organization_id=principal.organization_id, campaign_id=phone_bank_id
    )
    return await _shown(session, campaign)


@router.put("/phone_bank/{phone_bank_id}")
async def update_phone_bank(
    phone_bank_id: uuid.UUID, body: PhoneBankIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent; a status change follows the campaign's status rules."""
    organization = await get_organization(session, principal.organization_id)
    campaign = await service.get_campaign(
        session, organization_id=organization.id, campaign_id=phone_bank_id
    )

    async def update(fields: dict[str, Any]) -> Campaign:
        data = validated(CampaignUpdate, fields)
        return await service.update_campaign(
            session, organization=organization, campaign=campaign, data=data
        )

    return await _saved(session, organization.id, body, update, "The phone bank was updated.")


@router.delete("/phone_bank/{phone_bank_id}")
async def delete_phone_bank(
    phone_bank_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """Delete a phone bank that is not running, with its calls and results."""
    campaign = await service.get_campaign(
        session, organization_id=principal.organization_id, campaign_id=phone_bank_id
    )
    await service.delete_campaign(session, campaign=campaign)
    await forget_identifiers(session, kind=KIND, object_id=phone_bank_id)
    return notice("This phonebank was successfully deleted.")


@router.get("/phone_bank/{phone_bank_id}/phone_bank_results")
async def phone_bank_results(
    phone_bank_id: uuid.UUID, principal: Reader, session: DbSession, listing: Listing
) -> Response:
    """The results of a phone bank: one per completed contact, newest first."""
    org_id = principal.organization_id
    await service.get_campaign(session, organization_id=org_id, campaign_id=phone_bank_id)
    found = await list_results(
        session,
        organization_id=org_id,
        params=listing.params,
        campaign_id=phone_bank_id,
        condition=listing.condition,
    )
    return listing.page("phone_bank_results", found, show.phone_bank_result)


@router.get("/phone_bank_results")
async def list_phone_bank_results(
    principal: Reader, session: DbSession, listing: Listing
) -> Response:
    """Results of every phone bank, newest first; `filter` on modified/created_date."""
    found = await list_results(
        session,
        organization_id=principal.organization_id,
        params=listing.params,
        condition=listing.condition,
    )
    return listing.page("phone_bank_results", found, show.phone_bank_result)


@router.get("/phone_bank_results/{result_id}")
async def get_phone_bank_result(
    result_id: uuid.UUID, principal: Reader, session: DbSession
) -> Response:
    """One phone bank result: person, caller, disposition and answers."""
    row = await get_result(session, organization_id=principal.organization_id, result_id=result_id)
    return HalResponse(show.phone_bank_result(row))
