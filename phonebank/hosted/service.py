"""Hosted dialing: a campaign fed by the customer's system, reporting to its call-state URL.

A hosted dialing is an ordinary campaign (so pausing, stopping, calling hours, retries, the
block list and the dialer work as everywhere) plus where its numbers come from and a webhook
subscription, scoped to the campaign, for its call-state URL: call states reach the customer
through the same outbox, signatures and retries as every webhook.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.filling import add_people_to_campaign, fill_campaign, people_by_id
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import CampaignCreate
from phonebank.campaigns.service import call_totals, create_campaign, set_status
from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid, NotFound
from phonebank.hosted.models import HostedDialing, NumberUpload
from phonebank.hosted.numbers import people_for_numbers
from phonebank.hosted.schemas import HostedCallCreate, UploadCreate
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.lists.schemas import ListCreate
from phonebank.lists.service import add_people, create_list
from phonebank.organizations.models import Organization
from phonebank.webhooks.models import WebhookSubscription
from phonebank.webhooks.outbox import Event, campaign_scope, record_events, upload_scope
from phonebank.webhooks.service import create_subscription

# What a hosted dialing's call-state URL hears: every state of every call, each call's final
# status, and the campaign's status (it stops when every number has been dialed).
CALL_STATE_EVENTS = ["call.state_changed", "call.status_changed", "campaign.status_changed"]


@dataclass(frozen=True)
class HostedView:
    """A hosted dialing as the API shows it, read from its rows."""

    hosted: HostedDialing
    campaign: Campaign
    subscription: WebhookSubscription | None
    upload: NumberUpload | None
    total_calls: int
    total_completed: int
    calls_added: int = 0
    rejected: tuple[dict[str, Any], ...] = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hosted, name)

    @property
    def dialer_type(self) -> str:
        """The campaign's dialing mode, as the seed spells it."""
        return self.campaign.dialing_mode.capitalize()

    @property
    def from_number(self) -> str | None:
        """The caller id shown to the people called."""
        return self.campaign.caller_id

    @property
    def status(self) -> str:
        """The campaign's status."""
        return self.campaign.status

    @property
    def call_state_url(self) -> str | None:
        """Where call states are POSTed."""
        return self.subscription.url if self.subscription else None

    @property
    def secret(self) -> str:
        """The secret signing what is POSTed to the call-state URL."""
        return self.subscription.secret if self.subscription else ""

    @property
    def list_id(self) -> str | None:
        """The identifier of the uploaded list dialed, if any."""
        return self.upload.identifier if self.upload else None

    @property
    def limit(self) -> int:
        """How many numbers are asked for at a time."""
        return self.hosted.page_size


@dataclass(frozen=True)
class CreatedUpload:
    """A just-processed upload with the secret signing its notification."""

    upload: NumberUpload
    secret: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.upload, name)


async def get_upload(
    session: AsyncSession, *, organization_id: uuid.UUID, identifier: str, field: str | None = None
) -> NumberUpload:
    """The organization's upload under `identifier`: NotFound, or Invalid naming `field`."""
    upload = await session.scalar(
        select(NumberUpload).where(
            NumberUpload.organization_id == organization_id, NumberUpload.identifier == identifier
        )
    )
    if upload is None:
        if field is not None:
            raise Invalid(f"no uploaded list {identifier!r}", field=field)
        raise NotFound(f"no uploaded list {identifier!r}")
    return upload


async def create_upload(
    session: AsyncSession, *, organization: Organization, data: UploadCreate
) -> CreatedUpload:
    """Keep the numbers as a list under the identifier and tell `webhook_url` it is ready."""
    if await session.scalar(
        select(NumberUpload.id).where(
            NumberUpload.organization_id == organization.id,
            NumberUpload.identifier == data.identifier,
        )
    ):
        raise Conflict(f"a list {data.identifier!r} was already uploaded", field="identifier")
    upload = NumberUpload(
        id=uuid.uuid4(),
        organization_id=organization.id,
        identifier=data.identifier,
        webhook_url=data.webhook_url,
        total=len(data.phone_numbers),
    )
    subscription = await create_subscription(
        session,
        organization_id=organization.id,
        url=data.webhook_url,
        events=["upload.processed"],
        secret=data.secret,
        scope=upload_scope(upload.id),
    )
    person_list = await create_list(
        session,
        organization_id=organization.id,
        data=ListCreate(name=f"Upload {data.identifier}", origin_system="hosted"),
    )
    taken = await people_for_numbers(session, organization=organization, numbers=data.phone_numbers)
    await add_people(session, person_list=person_list, person_ids=taken.person_ids)
    upload.subscription_id, upload.list_id = subscription.id, person_list.id
    upload.accepted, upload.rejected = len(taken.person_ids), taken.rejected
    upload.status, upload.processed_at = "processed", utcnow()
    session.add(upload)
    await session.flush()
    await record_events(
        session,
        [
            Event(
                organization_id=organization.id,
                type="upload.processed",
                data={
                    "upload_id": upload.id,
                    "identifier": upload.identifier,
                    "status": upload.status,
                    "total": upload.total,
                    "accepted": upload.accepted,
                    "rejected": upload.rejected,
                },
                scopes=(upload_scope(upload.id),),
            )
        ],
    )
    return CreatedUpload(upload, subscription.secret)


async def start_hosted_call(
    session: AsyncSession, *, organization: Organization, data: HostedCallCreate
) -> HostedView:
    """Start dialing: a started campaign with the given numbers queued, more fetched later."""
    upload = None
    if data.list_id is not None:
        upload = await get_upload(
            session, organization_id=organization.id, identifier=data.list_id, field="list_id"
        )
    try:
        campaign_data = CampaignCreate(
            name=data.name or f"Hosted {data.dialer_type.lower()} dialing",
            dialing_mode=data.dialer_type.lower(),
            caller_id=data.from_number,
            origin_system="hosted",
        )
    except ValueError as error:
        raise Invalid(str(error), field="dialer_type") from None
    campaign = await create_campaign(session, organization=organization, data=campaign_data)
    subscription = await create_subscription(
        session,
        organization_id=organization.id,
        url=data.call_state_url,
        events=CALL_STATE_EVENTS,
        secret=data.secret,
        scope=campaign_scope(campaign.id),
    )
    hosted = HostedDialing(
        organization_id=organization.id,
        campaign_id=campaign.id,
        subscription_id=subscription.id,
        upload_id=upload.id if upload else None,
        phone_numbers_url=data.phone_numbers_url,
        page_size=data.limit,
    )
    session.add(hosted)
    added, rejected = 0, []
    if data.phone_number:
        taken = await people_for_numbers(
            session, organization=organization, numbers=data.phone_number
        )
        added += await queue_people(session, campaign=campaign, person_ids=taken.person_ids)
        rejected = taken.rejected
    if upload is not None and upload.list_id is not None:
        added += (await fill_campaign(session, campaign=campaign, list_id=upload.list_id)).added
    await set_status(session, campaign=campaign, status="started")
    await session.flush()
    view = await hosted_view(session, hosted=hosted)
    return replace(view, calls_added=added, rejected=tuple(rejected))


async def queue_people(
    session: AsyncSession, *, campaign: Campaign, person_ids: list[uuid.UUID]
) -> int:
    """Add calls to the campaign for these people (already in its organization)."""
    if not person_ids:
        return 0
    people = people_by_id(campaign.organization_id, person_ids)
    return (await add_people_to_campaign(session, campaign=campaign, people=people)).added


async def hosted_view(session: AsyncSession, *, hosted: HostedDialing) -> HostedView:
    """The hosted dialing with its campaign, call-state subscription, upload and call counts."""
    campaign = await session.get_one(Campaign, hosted.campaign_id)
    subscription = (
        await session.get(WebhookSubscription, hosted.subscription_id)
        if hosted.subscription_id
        else None
    )
    upload = await session.get(NumberUpload, hosted.upload_id) if hosted.upload_id else None
    totals = await call_totals(
        session, organization_id=hosted.organization_id, campaign_ids=[campaign.id]
    )
    total, completed = totals.get(campaign.id, (0, 0))
    return HostedView(hosted, campaign, subscription, upload, total, completed)


async def list_hosted(
    session: AsyncSession, *, organization_id: uuid.UUID, params: PageParams
) -> tuple[list[HostedView], int]:
    """A page of the organization's hosted dialings, newest first, read in five queries."""
    statement = (
        select(HostedDialing)
        .where(HostedDialing.organization_id == organization_id)
        .order_by(HostedDialing.created_at.desc(), HostedDialing.id)
    )
    rows, total = await fetch_page(session, statement, params)

    async def by_id(model: Any, ids: set[Any]) -> dict[Any, Any]:
        ids.discard(None)
        if not ids:
            return {}
        return {
            item.id: item for item in await session.scalars(select(model).where(model.id.in_(ids)))
        }

    campaigns = await by_id(Campaign, {row.campaign_id for row in rows})
    subscriptions = await by_id(WebhookSubscription, {row.subscription_id for row in rows})
    uploads = await by_id(NumberUpload, {row.upload_id for row in rows})
    totals = await call_totals(
        session, organization_id=organization_id, campaign_ids=list(campaigns)
    )
    views = [
        HostedView(
            row,
            campaigns[row.campaign_id],
            subscriptions.get(row.subscription_id),
            uploads.get(row.upload_id),
            *totals.get(row.campaign_id, (0, 0)),
        )
        for row in rows
    ]
    return views, total


async def list_uploads(
    session: AsyncSession, *, organization_id: uuid.UUID, params: PageParams
) -> tuple[Sequence[NumberUpload], int]:
    """A page of the organization's uploaded lists, newest first."""
    statement = (
        select(NumberUpload)
        .where(NumberUpload.organization_id == organization_id)
        .order_by(NumberUpload.created_at.desc(), NumberUpload.id)
    )
    return await fetch_page(session, statement, params)


async def get_hosted(
    session: AsyncSession, *, organization_id: uuid.UUID, hosted_id: uuid.UUID
) -> HostedView:
    """One hosted dialing of the organization, or NotFound."""
    hosted = await get_owned(
        session, HostedDialing, hosted_id, organization_id=organization_id, what="hosted call"
    )
    return await hosted_view(session, hosted=hosted)


async def waiting_calls(session: AsyncSession, *, campaign_id: uuid.UUID) -> int:
    """Calls of the campaign never dialed yet: how much the dialer still has in hand."""
    return int(
        await session.scalar(
            select(func.count()).where(
                Call.campaign_id == campaign_id,
                Call.status == "requested",
                Call.attempts_count == 0,
            )
        )
        or 0
    )


async def open_calls(session: AsyncSession, *, campaign_id: uuid.UUID) -> int:
    """Calls of the campaign not yet final (waiting, in flight or due for a retry)."""
    return int(
        await session.scalar(
            select(func.count()).where(Call.campaign_id == campaign_id, Call.status == "requested")
        )
        or 0
    )
