"""The console's front pages: the dashboard (campaigns), the live floor and reports."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from phonebank.auth.dependencies import DbSession
from phonebank.calling.cookies import CSRF_COOKIE, SESSION_COOKIE
from phonebank.calling.figures import campaign_figures
from phonebank.calling.service import end_login
from phonebank.campaigns.progress import campaign_progress, start_of_day
from phonebank.campaigns.service import list_campaigns
from phonebank.db import utcnow
from phonebank.kit.pagination import PageParams
from phonebank.scripts.service import list_scripts
from phonebank.web.console.access import Watcher, page, see_other

router = APIRouter(prefix="/admin")
EVERYTHING = PageParams(1, 200)
LIVE_STATUSES = ("started", "paused")


@router.get("")
async def dashboard(request: Request, session: DbSession, visitor: Watcher) -> Response:
    """The campaigns with their progress; an empty organization is shown where to begin."""
    organization = visitor.organization
    campaigns, _ = await list_campaigns(session, organization_id=organization.id, params=EVERYTHING)
    now = utcnow()
    progress = await campaign_progress(
        session,
        organization_id=organization.id,
        campaign_ids=[item.campaign.id for item in campaigns],
        today_since=start_of_day(now, organization.default_time_zone),
    )
    _, script_count = await list_scripts(
        session, organization_id=organization.id, params=PageParams(1, 1)
    )
    return page(
        request,
        visitor,
        "dashboard.html",
        section="campaigns",
        campaigns=[item.campaign for item in campaigns],
        progress=progress,
        has_script=script_count > 0,
    )


@router.get("/floor")
async def floor(request: Request, session: DbSession, visitor: Watcher) -> Response:
    """The running campaigns: who is calling and in which state, and the live figures."""
    campaigns, _ = await list_campaigns(
        session, organization_id=visitor.organization.id, params=EVERYTHING
    )
    now = utcnow()
    running = [
        (item.campaign, await campaign_figures(session, campaign=item.campaign, now=now))
        for item in campaigns
        if item.campaign.status in LIVE_STATUSES
    ]
    return page(request, visitor, "floor.html", section="floor", running=running)


@router.get("/reports")
async def reports(request: Request, session: DbSession, visitor: Watcher) -> Response:
    """Each campaign's totals, with its results to export."""
    campaigns, _ = await list_campaigns(
        session, organization_id=visitor.organization.id, params=EVERYTHING
    )
    now = utcnow()
    rows = [
        (item.campaign, await campaign_figures(session, campaign=item.campaign, now=now))
        for item in campaigns
    ]
    return page(request, visitor, "reports.html", section="reports", rows=rows)


@router.post("/logout")
async def logout(session: DbSession, visitor: Watcher) -> Response:
    """End the browser login and return to the sign-in page."""
    await end_login(session, login=visitor.login, now=utcnow())
    response = see_other("/admin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
