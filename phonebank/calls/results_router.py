"""A campaign's results: `/api/v1/campaigns/{id}/results`, as JSON pages or one CSV file."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from phonebank.auth.dependencies import DbSession
from phonebank.calls.dependencies import CallsReader
from phonebank.calls.export import ResultRow, count_results, result_rows, results_csv
from phonebank.campaigns.service import get_campaign
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.scripts.models import Script

router = APIRouter(prefix="/campaigns/{campaign_id}/results", tags=["results"])


@router.get("", response_model=Page[ResultRow])
async def list_results(
    campaign_id: uuid.UUID,
    request: Request,
    principal: CallsReader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[ResultRow]:
    """The campaign's results, newest first."""
    campaign = await get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    rows: list[ResultRow] = await result_rows(
        session, campaign.id, offset=params.offset, limit=params.per_page
    )
    total = await count_results(session, campaign.id)
    return build_page(request, params, rows, total, ResultRow)


@router.get(".csv", response_class=StreamingResponse)
async def export_results(
    campaign_id: uuid.UUID, principal: CallsReader, session: DbSession
) -> StreamingResponse:
    """Every result of the campaign as CSV: one row per result, a column per question."""
    campaign = await get_campaign(
        session, organization_id=principal.organization_id, campaign_id=campaign_id
    )
    script = await session.get(Script, campaign.script_id) if campaign.script_id else None
    questions = [q.name for q in script.questions] if script else []
    note_fields = [n.name for n in script.note_fields] if script else []
    # Rows are read now, inside the request's transaction, then streamed.
    chunks = [chunk async for chunk in results_csv(session, campaign.id, questions, note_fields)]
    filename = f"results-{campaign.id}.csv"
    return StreamingResponse(
        iter(chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
