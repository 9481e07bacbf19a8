"""A campaign's compliance report: `/api/v1/campaigns/{id}/compliance`, as JSON or CSV."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from phonebank.auth.dependencies import DbSession
from phonebank.calls.compliance import compliance_csv, compliance_report
from phonebank.calls.dependencies import StatsReader
from phonebank.calls.schemas import ComplianceReport
from phonebank.campaigns.service import get_campaign
from phonebank.db import utcnow
from phonebank.organizations.service import get_organization

router = APIRouter(prefix="/campaigns/{campaign_id}/compliance", tags=["compliance"])

Table = Literal["days", "hours", "outside_calling_hours", "blocked_number_dials"]


async def _report(
    campaign_id: uuid.UUID, organization_id: uuid.UUID, session: DbSession
) -> ComplianceReport:
    campaign = await get_campaign(session, organization_id=organization_id, campaign_id=campaign_id)
    organization = await get_organization(session, organization_id)
    return await compliance_report(
        session, campaign=campaign, default_country=organization.default_country, now=utcnow()
    )


@router.get("", response_model=ComplianceReport)
async def get_compliance(
    campaign_id: uuid.UUID, principal: StatsReader, session: DbSession
) -> ComplianceReport:
    """Abandon rates against the target by day, hour and 30 days; forbidden dials (none)."""
    return await _report(campaign_id, principal.organization_id, session)


@router.get(".csv", response_class=Response)
async def export_compliance(
    campaign_id: uuid.UUID,
    principal: StatsReader,
    session: DbSession,
    table: Annotated[Table, Query(description="Which table of the report.")] = "days",
) -> Response:
    """One table of the compliance report as CSV."""
    report = await _report(campaign_id, principal.organization_id, session)
    return Response(
        compliance_csv(report, table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="compliance-{table}-{campaign_id}.csv"'
        },
    )
