"""OBI statistics: per campaign and agent, cumulated over whole UTC days."""

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response

from phonebank.auth.dependencies import DbSession
from phonebank.callers.service import callers_by_id
from phonebank.calls.statistics import statistics
from phonebank.campaigns.service import all_campaigns
from phonebank.db import utcnow
from phonebank.errors import Invalid
from phonebank.obi import present
from phonebank.obi.auth import StatisticsReader
from phonebank.obi.ids import id32, parse_ids, parse_time
from phonebank.obi.search import check_params, patterns
from phonebank.obi.wire import render

router = APIRouter(tags=["OBI statistics"])

SEARCHABLE = ("campaignId", "agentId")


def _day(query: dict[str, str], name: str) -> datetime | None:
    # Statistics are kept by day: a date stands for its whole UTC day.
    if name not in query:
        return None
    moment = parse_time(query[name], field=name)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _ids(searches: dict[str, str], name: str) -> list[uuid.UUID] | None:
    return parse_ids(searches[name], field=name) if name in searches else None


@router.get("/statistics")
async def list_statistics(
    request: Request, principal: StatisticsReader, session: DbSession
) -> Response:
    """Statistics per campaign and agent from `startDate` through `endDate` (UTC days)."""
    query = dict(request.query_params)
    check_params(query, (*SEARCHABLE, "startDate", "endDate"))
    searches = patterns(query, SEARCHABLE, SEARCHABLE)
    start = _day(query, "startDate")
    last = _day(query, "endDate")
    end = last + timedelta(days=1) if last is not None else None
    if start is not None and end is not None and end <= start:
        raise Invalid("endDate is before startDate", field="endDate")
    campaign_ids = _ids(searches, "campaignId")
    agent_ids = _ids(searches, "agentId")
    organization_id = principal.organization_id
    groups = await statistics(
        session,
        organization_id=organization_id,
        now=utcnow(),
        start=start,
        end=end,
        campaign_ids=campaign_ids,
        caller_ids=agent_ids,
    )
    campaigns = {
        item.id: item for item in await all_campaigns(session, organization_id=organization_id)
    }
    callers = await callers_by_id(
        session,
        organization_id=organization_id,
        caller_ids=[caller for _, caller in groups if caller is not None],
    )
    items = []
    for (campaign_id, caller_id), figures in sorted(
        groups.items(), key=lambda entry: (str(entry[0][0]), str(entry[0][1] or ""))
    ):
        caller = callers.get(caller_id) if caller_id is not None else None
        items.append(
            present.agent_stats(
                present.Figures([figures]),
                item=campaigns[campaign_id],
                agent_id=id32(caller_id) if caller_id is not None else None,
                agent_name=caller.name if caller is not None else None,
            )
        )
    return render(request, items, root="statistics", item="statistic")
