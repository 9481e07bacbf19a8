"""Campaigns: create, read, change, delete, and the status rules in one place."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import CallerGroup
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import (
    CampaignCreate,
    CampaignUpdate,
    check_daily_hours,
    check_time_order,
    normalize_dialing_mode,
)
from phonebank.dialer.pacers.registry import check_pacer_name
from phonebank.errors import Conflict, Invalid
from phonebank.kit.filters import FilterExpr, compile_filter, timestamp_filters
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import parse_phone
from phonebank.lists.models import PersonList
from phonebank.messages.models import Message
from phonebank.organizations.models import Organization
from phonebank.scripts.models import Script
from phonebank.webhooks.outbox import Event, campaign_scope, record_events

# Which status a campaign may move to from each status; `stopped` is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scheduled", "started", "stopped"}),
    "scheduled": frozenset({"started", "draft", "stopped"}),
    "started": frozenset({"paused", "stopped"}),
    "paused": frozenset({"started", "stopped"}),
    "stopped": frozenset(),
}
# The status actions of the API and the status each one asks for.
ACTIONS: dict[str, str] = {
    "start": "started",
    "pause": "paused",
    "stop": "stopped",
    "resume": "started",
}
# Body fields that reference another object of the organization: (model, what it is).
_REFERENCES: dict[str, tuple[type[Any], str]] = {
    "script_id": (Script, "script"),
    "target_list_id": (PersonList, "list"),
    "volunteers_list_id": (PersonList, "list"),
    "caller_group_id": (CallerGroup, "caller group"),
    "voicemail_message_id": (Message, "message"),
    "safe_harbor_message_id": (Message, "message"),
}
# Message references must point to audio of the matching kind.
_MESSAGE_KINDS = {"voicemail_message_id": "voicemail", "safe_harbor_message_id": "safe_harbor"}


@dataclass(frozen=True)
class CampaignWithTotals:
    """A campaign together with its call counts; reads through to the campaign's fields."""

    campaign: Campaign
    total_calls: int
    total_completed: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.campaign, name)


async def _check_references(
    session: AsyncSession, organization: Organization, changes: dict[str, Any]
) -> None:
    for field, (model, what) in _REFERENCES.items():
        object_id = changes.get(field)
        if object_id is None:
            continue
        found = await get_owned(
            session, model, object_id, organization_id=organization.id, what=what, field=field
        )
        kind = _MESSAGE_KINDS.get(field)
        if kind is not None and found.kind != kind:
            raise Invalid(
                f"message {object_id} is a {found.kind} message; {field} needs a {kind} message",
                field=field,
            )


async def _prepare(
    session: AsyncSession, organization: Organization, changes: dict[str, Any]
) -> dict[str, Any]:
    """Check what needs the database and normalize values; returns the values to store."""
    await _check_references(session, organization, changes)
    if changes.get("pacer") is not None:
        check_pacer_name(changes["pacer"])
    if changes.get("caller_id") is not None:
        changes["caller_id"] = parse_phone(
            changes["caller_id"], default_country=organization.default_country, field="caller_id"
        ).e164
    return changes


def _check_against_stored(campaign: Campaign, changes: dict[str, Any]) -> None:
    """Rules between two fields when a change gives only one of them."""
    start_time = changes.get("start_time", campaign.start_time)
    end_time = changes.get("end_time", campaign.end_time)
    try:
        check_time_order(start_time, end_time)
    except ValueError as error:
        field = "end_time" if "end_time" in changes else "start_time"
        raise Invalid(str(error), field=field) from None
    start_hour = changes.get("daily_start_hour", campaign.daily_start_hour)
    stop_hour = changes.get("daily_stop_hour", campaign.daily_stop_hour)
    try:
        check_daily_hours(start_hour, stop_hour)
    except ValueError as error:
        field = "daily_stop_hour" if "daily_stop_hour" in changes else "daily_start_hour"
        raise Invalid(str(error), field=field) from None


async def set_status(session: AsyncSession, *, campaign: Campaign, status: str) -> Campaign:
    """Move the campaign to `status` if the transitions table allows it; same status is a no-op."""
    current = campaign.status
    if status == current:
        return campaign
    if status not in TRANSITIONS:
        raise Invalid(f"unknown status {status!r}", field="status")
    if status not in TRANSITIONS[current]:
        if current == "stopped":
            reason = "a stopped campaign is final and cannot change status"
        else:
            allowed = ", ".join(sorted(TRANSITIONS[current]))
            reason = f"a {current} campaign cannot become {status} (it can become: {allowed})"
        raise Conflict(reason, field="status")
    campaign.status = status
    await session.flush()
    await record_events(
        session,
        [
            Event(
                organization_id=campaign.organization_id,
                type="campaign.status_changed",
                data={"campaign_id": campaign.id, "from": current, "to": status},
                scopes=(campaign_scope(campaign.id),),
            )
        ],
    )
    return campaign


async def apply_action(session: AsyncSession, *, campaign: Campaign, action: str) -> Campaign:
    """Run a status action (start, pause, stop, resume) on the campaign."""
    if action not in ACTIONS:
        raise Invalid(f"unknown action {action!r}", field="action")
    # Resuming means "carry on": a campaign that never ran must be started, not resumed.
    if action == "resume" and campaign.status in {"draft", "scheduled"}:
        raise Conflict(
            f"only a paused campaign can be resumed; this one is {campaign.status}, start it",
            field="status",
        )
    return await set_status(session, campaign=campaign, status=ACTIONS[action])


async def create_campaign(
    session: AsyncSession, *, organization: Organization, data: CampaignCreate
) -> Campaign:
    """Store a new campaign of the organization, in the status asked for (draft by default)."""
    values = await _prepare(session, organization, data.model_dump(exclude={"status"}))
    if values["time_zone"] is None:
        values["time_zone"] = organization.default_time_zone
    # The id is known before the first status change, so its event can name the campaign.
    campaign = Campaign(id=uuid.uuid4(), organization_id=organization.id, status="draft", **values)
    _check_against_stored(campaign, {})
    # Every campaign is born a draft and reaches the asked status through the same rules.
    await set_status(session, campaign=campaign, status=data.status)
    session.add(campaign)
    await session.flush()
    return campaign


async def duplicate_campaign(session: AsyncSession, *, campaign: Campaign) -> Campaign:
    """A new draft with every setting of `campaign` (not its calls), named as its copy."""
    settings = set(CampaignCreate.model_fields) - {"status", "name"}
    values = {name: getattr(campaign, name) for name in settings}
    copy = Campaign(
        id=uuid.uuid4(),
        organization_id=campaign.organization_id,
        status="draft",
        name=f"{campaign.name} (copy)"[:200],
        **values,
    )
    session.add(copy)
    await session.flush()
    return copy


async def get_campaign(
    session: AsyncSession, *, organization_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    """One campaign of the organization, or NotFound."""
    return await get_owned(
        session, Campaign, campaign_id, organization_id=organization_id, what="campaign"
    )


async def update_campaign(
    session: AsyncSession, *, organization: Organization, campaign: Campaign, data: CampaignUpdate
) -> Campaign:
    """Apply the fields present in `data`; a status change follows the transitions table."""
    changes = data.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    changes = await _prepare(session, organization, changes)
    _check_against_stored(campaign, changes)
    for name, value in changes.items():
        setattr(campaign, name, value)
    await session.flush()
    if status is not None:
        await set_status(session, campaign=campaign, status=status)
    return campaign


async def delete_campaign(session: AsyncSession, *, campaign: Campaign) -> None:
    """Remove a campaign that is not running, with its calls."""
    if campaign.status == "started":
        raise Conflict("a started campaign cannot be deleted; stop it first", field="status")
    await session.delete(campaign)
    await session.flush()


async def call_totals(
    session: AsyncSession, *, organization_id: uuid.UUID, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """(all calls, completed calls) per campaign, in one grouped query."""
    if not campaign_ids:
        return {}
    statement = (
        select(
            Call.campaign_id,
            func.count(),
            func.coalesce(func.sum(case((Call.status == "completed", 1), else_=0)), 0),
        )
        .where(Call.organization_id == organization_id, Call.campaign_id.in_(campaign_ids))
        .group_by(Call.campaign_id)
    )
    rows = (await session.execute(statement)).all()
    return {campaign_id: (int(total), int(completed)) for campaign_id, total, completed in rows}


async def with_totals(session: AsyncSession, *, campaign: Campaign) -> CampaignWithTotals:
    """The campaign with its call counts, as the API shows it."""
    totals = await call_totals(
        session, organization_id=campaign.organization_id, campaign_ids=[campaign.id]
    )
    total, completed = totals.get(campaign.id, (0, 0))
    return CampaignWithTotals(campaign, total, completed)


async def list_campaigns(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    status: str | None = None,
    dialing_mode: str | None = None,
    condition: FilterExpr | None = None,
) -> tuple[list[CampaignWithTotals], int]:
    """A page of the organization's campaigns, newest first, with their call counts."""
    statement = select(Campaign).where(Campaign.organization_id == organization_id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(Campaign)))
    if status is not None:
        statement = statement.where(Campaign.status == status)
    if dialing_mode is not None:
        statement = statement.where(Campaign.dialing_mode == normalize_dialing_mode(dialing_mode))
    statement = statement.order_by(Campaign.created_at.desc(), Campaign.id)
    rows, total = await fetch_page(session, statement, params)
    totals = await call_totals(
        session, organization_id=organization_id, campaign_ids=[row.id for row in rows]
    )
    items = [CampaignWithTotals(row, *totals.get(row.id, (0, 0))) for row in rows]
    return items, total


async def all_campaigns(session: AsyncSession, *, organization_id: uuid.UUID) -> list[Campaign]:
    """Every campaign of the organization, oldest first (for faces without pagination)."""
    statement = (
        select(Campaign)
        .where(Campaign.organization_id == organization_id)
        .order_by(Campaign.created_at, Campaign.id)
    )
    return list((await session.scalars(statement)).all())
