"""The pages: `/call` for callers, `/admin` for organizers, and the caller SDK at `/sdk/caller.js`.

Pages are server-rendered (Jinja2); their behaviour is plain JavaScript over the same APIs
integrators use. Every asset ships in the package: the pages work offline.
"""

import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phonebank.auth.dependencies import DbSession
from phonebank.callers.models import Caller
from phonebank.calling.cookies import SESSION_COOKIE
from phonebank.calling.figures import campaign_figures
from phonebank.calling.service import login_from_token
from phonebank.calling.session_actions import dials_in_flight
from phonebank.calls.export import result_rows
from phonebank.calls.results import DISPOSITIONS
from phonebank.campaigns.service import get_campaign, list_campaigns
from phonebank.db import utcnow
from phonebank.errors import NotFound, Unauthorized
from phonebank.kit.pagination import PageParams
from phonebank.lists.service import list_lists

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
RESULTS_ON_PAGE = 50


async def _supervisor(request: Request, session: DbSession) -> Caller | None:
    try:
        _, caller = await login_from_token(session, request.cookies.get(SESSION_COOKIE))
    except Unauthorized:
        return None
    return caller if caller.is_supervisor else None


@router.get("/")
async def home() -> RedirectResponse:
    """The calling page is the front door."""
    return RedirectResponse("/call")


@router.get("/call", response_class=HTMLResponse)
async def call_page(request: Request) -> Response:
    """The volunteer calling page (with browser audio when the carrier is Twilio)."""
    voice = "twilio" if getattr(request.app.state, "twilio", None) is not None else None
    return templates.TemplateResponse(request, "call.html", {"voice": voice})


@router.get("/sdk/caller.js")
async def caller_sdk() -> FileResponse:
    """The JavaScript caller SDK (an ES module)."""
    return FileResponse(STATIC_DIR / "caller.js", media_type="text/javascript")


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, session: DbSession) -> Response:
    """The organizer dashboard: campaigns (or the supervisor login)."""
    supervisor = await _supervisor(request, session)
    if supervisor is None:
        return templates.TemplateResponse(request, "admin_login.html", {})
    campaigns, _ = await list_campaigns(
        session, organization_id=supervisor.organization_id, params=PageParams(1, 200)
    )
    return templates.TemplateResponse(
        request, "admin.html", {"supervisor": supervisor, "campaigns": campaigns}
    )


@router.get("/admin/campaigns/{campaign_id}", response_class=HTMLResponse)
async def campaign_page(campaign_id: uuid.UUID, request: Request, session: DbSession) -> Response:
    """One campaign: live figures and chart, controls, adding people, results."""
    supervisor = await _supervisor(request, session)
    if supervisor is None:
        return RedirectResponse("/admin", status_code=303)
    try:
        campaign = await get_campaign(
            session, organization_id=supervisor.organization_id, campaign_id=campaign_id
        )
    except NotFound:
        return templates.TemplateResponse(request, "not_found.html", {}, status_code=404)
    figures = await campaign_figures(
        session,
        campaign=campaign,
        now=utcnow(),
        dials_in_flight=await dials_in_flight(request, campaign.id),
    )
    lists, _ = await list_lists(
        session, organization_id=supervisor.organization_id, params=PageParams(1, 200)
    )
    return templates.TemplateResponse(
        request,
        "campaign.html",
        {
            "supervisor": supervisor,
            "campaign": campaign,
            "figures": figures,
            "lists": lists,
            "results": await result_rows(session, campaign.id, limit=RESULTS_ON_PAGE),
            "dispositions": DISPOSITIONS,
        },
    )
