"""OBI campaigns: list and search, read, full update, status, customer result statistics."""

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.dependencies import DbSession
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.callers.ledger import logged_on
from phonebank.callers.service import caller_groups_by_id
from phonebank.calls.statistics import (
    CallTotals,
    call_standings,
    call_totals,
    calls_created_before,
    statistics,
)
from phonebank.campaigns import service as campaigns
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import CampaignUpdate
from phonebank.db import utcnow
from phonebank.errors import Forbidden, Invalid
from phonebank.obi import present
from phonebank.obi.auth import CampaignReader, CampaignWriter, StatisticsReader
from phonebank.obi.ids import (
    CampaignIdPath,
    all_callers_queue,
    parse_id,
    parse_ids,
    parse_time,
    path_id,
)
from phonebank.obi.mapping import FROM_DIALING_MODES, call_result
from phonebank.obi.schemas import CampaignPut
from phonebank.obi.search import (
    FIELD_NAMES,
    check_params,
    flag,
    in_range,
    keep,
    obi_field_names,
    patterns,
    time_range,
)
from phonebank.obi.wire import no_content, read_body, read_text, render
from phonebank.organizations.service import get_organization

router = APIRouter(tags=["OBI campaigns"])

SEARCHABLE = (
    "name", "dialerId", "dialerName", "dialingMode", "status", "dialerStatus", "queueId",
    "queueName", "customIvrNumber", "total", "handled", "maxCalls", "filtered", "timeZone",
)  # fmt: skip
ID_FIELDS = ("dialerId", "queueId")
DATE_FIELDS = {"startDate": "start_time", "endDate": "end_time", "registered": "created_at"}
STATISTICS_PARAMS = ("statistics", "statisticsDate", "agentId")
LIST_PARAMS = (
    *SEARCHABLE, *STATISTICS_PARAMS, *DATE_FIELDS, *(f"{name}End" for name in DATE_FIELDS)
)  # fmt: skip
# OBI status words a client may PUT, and the campaign status each asks for.
STATUS_CHANGES = {"Active": "started", "Passive": "paused"}


async def owned_campaign(session: AsyncSession, principal: Principal, campaign_id: str) -> Campaign:
    """The campaign named in the URL, if it is the principal's organization's."""
    return await campaigns.get_campaign(
        session,
        organization_id=principal.organization_id,
        campaign_id=path_id(campaign_id, what="campaign"),
    )


async def _views(
    session: AsyncSession, principal: Principal, items: list[Campaign]
) -> list[dict[str, Any]]:
    organization_id = principal.organization_id
    organization = await get_organization(session, organization_id)
    ids = [item.id for item in items]
    totals = await call_totals(
        session, organization_id=organization_id, campaign_ids=ids, now=utcnow()
    )
    online = await logged_on(session, organization_id=organization_id, campaign_ids=ids)
    groups = await caller_groups_by_id(
        session,
        organization_id=organization_id,
        group_ids=[item.caller_group_id for item in items if item.caller_group_id],
    )
    return [
        present.campaign(
            item,
            organization=organization,
            group=groups.get(item.caller_group_id) if item.caller_group_id else None,
            totals=totals.get(item.id, CallTotals()),
            logged_on=online.get(item.id, 0),
        )
        for item in items
    ]


def _stats_of(
    groups: dict[tuple[uuid.UUID, uuid.UUID | None], Any], campaign_id: uuid.UUID, customers: int
) -> dict[str, Any] | None:
    parts = {key: value for key, value in groups.items() if key[0] == campaign_id}
    if not parts:
        return None
    agents = len({caller for _, caller in parts if caller is not None})
    figures = present.Figures(list(parts.values()))
    return present.campaign_stats(figures, customers=customers, agents=agents)


async def _with_statistics(
    session: AsyncSession,
    principal: Principal,
    items: list[Campaign],
    views: list[dict[str, Any]],
    query: dict[str, str],
) -> list[dict[str, Any]]:
    """Add `stats` (total unless a date is given, and daily) to each campaign that has some."""
    if not principal.has(Scope.STATS_READ):
        raise Forbidden(f"this API key lacks the `{Scope.STATS_READ}` scope")
    now = utcnow()
    dated = "statisticsDate" in query
    day = parse_time(query["statisticsDate"], field="statisticsDate") if dated else now
    day_start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    agent_ids = parse_ids(query["agentId"], field="agentId") if "agentId" in query else None
    scope: dict[str, Any] = {
        "organization_id": principal.organization_id,
        "now": now,
        "campaign_ids": [item.id for item in items],
        "caller_ids": agent_ids,
    }
    daily = await statistics(session, start=day_start, end=day_end, **scope)
    total = None if dated else await statistics(session, **scope)
    then = await calls_created_before(
        session,
        organization_id=principal.organization_id,
        campaign_ids=scope["campaign_ids"],
        before=day_end,
    )
    shown = []
    for item, view in zip(items, views, strict=True):
        stats = {}
        if total is not None and (figures := _stats_of(total, item.id, view["total"])):
            stats["total"] = figures
        if figures := _stats_of(daily, item.id, then.get(item.id, 0)):
            stats["daily"] = figures
        if stats:
            view["stats"] = stats
        if stats or agent_ids is None:
            shown.append(view)
    return shown


@router.get("/campaigns")
async def list_campaigns(
    request: Request, principal: CampaignReader, session: DbSession
) -> Response:
    """Campaigns, searched by any field (`*`, `?`) and date range, with statistics if asked."""
    query = dict(request.query_params)
    check_params(query, LIST_PARAMS)
    searches = patterns(query, SEARCHABLE, ID_FIELDS)
    ranges = {column: time_range(query, name) for name, column in DATE_FIELDS.items()}
    with_stats = flag(query, "statistics")
    if not with_stats and any(name in query for name in STATISTICS_PARAMS[1:]):
        raise Invalid("statisticsDate and agentId need statistics=true", field="statistics")
    items = [
        item
        for item in await campaigns.all_campaigns(
            session, organization_id=principal.organization_id
        )
        if all(in_range(getattr(item, column), bounds) for column, bounds in ranges.items())
    ]
    views = await _views(session, principal, items)
    chosen = [
        (item, view)
        for item, view in zip(items, views, strict=True)
        if keep(view, searches, ID_FIELDS)
    ]
    items, views = [item for item, _ in chosen], [view for _, view in chosen]
    if with_stats:
        views = await _with_statistics(session, principal, items, views, query)
    return render(request, views, root="campaigns", item="campaign")


@router.get("/campaigns/{campaignId}")
async def get_campaign(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CampaignReader,
    session: DbSession,
) -> Response:
    """One campaign (with `statistics=true`: its statistics too)."""
    item = await owned_campaign(session, principal, campaign_id)
    query = dict(request.query_params)
    check_params(query, STATISTICS_PARAMS)
    views = await _views(session, principal, [item])
    if flag(query, "statistics"):
        views = await _with_statistics(session, principal, [item], views, query) or views
    return render(request, views[0], root="campaign")


def _refused(error: ValidationError) -> RequestValidationError:
    errors = []
    for detail in error.errors():
        location = tuple(FIELD_NAMES.get(str(part), part) for part in detail["loc"])
        errors.append({**detail, "loc": ("body", *location)})
    return RequestValidationError(errors)


def _caller_group(queue_id: str, organization_id: uuid.UUID) -> uuid.UUID | None:
    """The caller group a `queueId` names; the queue of all callers is no group at all."""
    queue = parse_id(queue_id, field="queueId")
    return None if queue == all_callers_queue(organization_id) else queue


@router.put("/campaigns/{campaignId}", status_code=204)
async def update_campaign(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CampaignWriter,
    session: DbSession,
) -> Response:
    """Replace the campaign's settings: every field is written, omitted ones get defaults."""
    item = await owned_campaign(session, principal, campaign_id)
    organization = await get_organization(session, principal.organization_id)
    try:
        body = CampaignPut.from_body(await read_body(request))
        data = CampaignUpdate(
            name=body.name,
            description=body.remarks,
            dialing_mode=FROM_DIALING_MODES[body.dialingMode],
            caller_group_id=_caller_group(body.queueId, organization.id),
            caller_id=body.customIvrNumber,
            start_time=body.startDate,
            end_time=body.endDate,
            time_zone=body.timeZone or organization.default_time_zone,
            abandon_rate_target=body.abandonRate,
            increase_predictive_ratio=body.increasePredictiveRatio,
        )
    except ValidationError as error:
        raise _refused(error) from None
    with obi_field_names():
        await campaigns.update_campaign(
            session, organization=organization, campaign=item, data=data
        )
    return no_content()


@router.put("/campaigns/{campaignId}/status", status_code=204)
async def set_campaign_status(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CampaignWriter,
    session: DbSession,
) -> Response:
    """`Active` starts (or resumes) the campaign's dialing, `Passive` pauses it."""
    item = await owned_campaign(session, principal, campaign_id)
    value = await read_text(request)
    if value not in STATUS_CHANGES:
        raise Invalid(f"Invalid status: {value} : use Active or Passive", field="status")
    if value == "Passive" and item.status in {"draft", "scheduled"}:
        return no_content()  # never started: already passive
    with obi_field_names():
        await campaigns.set_status(session, campaign=item, status=STATUS_CHANGES[value])
    return no_content()


@router.get("/campaigns/{campaignId}/customerResultStatistics")
async def customer_result_statistics(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: StatisticsReader,
    session: DbSession,
) -> Response:
    """How many customers have each combination of result, callResult and classifier."""
    item = await owned_campaign(session, principal, campaign_id)
    groups: Counter[tuple[str, str | None, str | None]] = Counter()
    for standing in await call_standings(session, campaign_id=item.id):
        triple = call_result(
            standing.status,
            dialing=standing.dialing,
            last_outcome=standing.last_outcome,
            last_disposition=standing.last_disposition,
        )
        groups[triple] += standing.count
    items = present.result_groups(groups.items())
    return render(request, items, root="customerResultStatistics", item="customerResultStatistic")
