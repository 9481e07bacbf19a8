"""Supervisors: live caller sessions, kick, listen / break in, time ledgers, live figures.

Reached with an API key holding the callers' scopes, or a supervisor's browser login.
"""

import asyncio
import contextlib
import uuid
from typing import Annotated, Literal

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    Query,
    Request,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from sqlalchemy import select

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.callers.models import Caller, CallerSession
from phonebank.calling import service
from phonebank.calling.cookies import SESSION_COOKIE, supervisor_principal
from phonebank.calling.dependencies import same_origin
from phonebank.calling.figures import campaign_figures, ledger_totals, sum_ledgers
from phonebank.calling.schemas import CampaignFigures, LedgerTotals, LiveSession, MonitorIn
from phonebank.calling.session_actions import (
    act,
    clock_now,
    dials_in_flight,
    leave_engine,
)
from phonebank.campaigns.models import Campaign
from phonebank.errors import DomainError
from phonebank.kit.ownership import get_owned

router = APIRouter(tags=["supervisors"])
Reader = Annotated[Principal, Depends(require(Scope.CALLERS_READ))]
Supervisor = Annotated[Principal, Depends(require(Scope.CALLERS_SUPERVISE))]
# How often the dashboard's figures are pushed.
FIGURES_SECONDS = 1.0


@router.get("/caller_sessions", response_model=list[LiveSession])
async def live_sessions(
    principal: Reader,
    session: DbSession,
    request: Request,
    campaign_id: Annotated[uuid.UUID | None, Query(description="Only this campaign.")] = None,
) -> object:
    """The open caller sessions, with their state and how long they have been in it."""
    now = clock_now(request)
    statement = (
        select(CallerSession, Caller.name)
        .join(Caller, Caller.id == CallerSession.caller_id)
        .where(
            CallerSession.organization_id == principal.organization_id,
            CallerSession.ended_at.is_(None),
        )
        .order_by(CallerSession.started_at)
    )
    if campaign_id is not None:
        statement = statement.where(CallerSession.campaign_id == campaign_id)
    return [
        LiveSession(
            id=row.id,
            caller_id=row.caller_id,
            caller_name=name,
            campaign_id=row.campaign_id,
            state=row.state,
            state_since=row.state_since,
            state_seconds=max(0.0, (now - row.state_since).total_seconds()),
            started_at=row.started_at,
            session_seconds=max(0.0, (now - row.started_at).total_seconds()),
        )
        for row, name in await session.execute(statement)
    ]


@router.get("/caller_sessions/ledger", response_model=list[LedgerTotals])
async def ledger(
    principal: Reader,
    session: DbSession,
    request: Request,
    campaign_id: Annotated[uuid.UUID | None, Query(description="Only this campaign.")] = None,
    caller_id: Annotated[uuid.UUID | None, Query(description="Only this caller.")] = None,
    group: Annotated[
        Literal["caller", "campaign"], Query(description="One entry per caller, or one in all.")
    ] = "caller",
) -> object:
    """Seconds per state (waiting, previewing, talking, wrap-up, paused) per caller, or summed."""
    per_caller = await ledger_totals(
        session,
        organization_id=principal.organization_id,
        campaign_id=campaign_id,
        caller_id=caller_id,
        now=clock_now(request),
    )
    return per_caller if group == "caller" else [sum_ledgers(per_caller, campaign_id)]


@router.post("/caller_sessions/{session_id}/kick", response_model=LiveSession)
async def kick(
    session_id: uuid.UUID,
    principal: Supervisor,
    session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> object:
    """End a caller's session now (a call in progress is hung up)."""
    caller_session = await service.get_live_session(
        session, organization_id=principal.organization_id, session_id=session_id
    )
    service.require_open(caller_session)
    now = clock_now(request)
    await service.end_session(session, caller_session=caller_session, reason="kicked", now=now)
    background.add_task(leave_engine, request, caller_session, "kicked")
    caller = await session.get_one(Caller, caller_session.caller_id)
    return LiveSession(
        id=caller_session.id,
        caller_id=caller.id,
        caller_name=caller.name,
        campaign_id=caller_session.campaign_id,
        state=caller_session.state,
        state_since=caller_session.state_since,
        state_seconds=0.0,
        started_at=caller_session.started_at,
        session_seconds=(now - caller_session.started_at).total_seconds(),
    )


@router.post("/caller_sessions/{session_id}/monitor", status_code=status.HTTP_204_NO_CONTENT)
async def monitor(
    session_id: uuid.UUID,
    body: MonitorIn,
    principal: Supervisor,
    session: DbSession,
    request: Request,
) -> None:
    """Listen in on (or break in to) the caller's connected call."""
    caller_session = await service.get_live_session(
        session, organization_id=principal.organization_id, session_id=session_id
    )
    await act(
        request,
        caller_session,
        "monitor",
        supervisor=str(principal.service_account_id),
        mode=body.mode,
    )


@router.get("/campaigns/{campaign_id}/live", response_model=CampaignFigures)
async def live_figures(
    campaign_id: uuid.UUID, principal: Reader, session: DbSession, request: Request
) -> object:
    """The campaign's live figures: callers by state, dials, contacts, progress, abandons."""
    campaign = await get_owned(
        session, Campaign, campaign_id, organization_id=principal.organization_id, what="campaign"
    )
    return await campaign_figures(
        session,
        campaign=campaign,
        now=clock_now(request),
        dials_in_flight=await dials_in_flight(request, campaign.id),
    )


@router.websocket("/campaigns/{campaign_id}/live/events")
async def live_figures_events(websocket: WebSocket, campaign_id: uuid.UUID) -> None:
    """Push the campaign's live figures every second to a supervisor's dashboard."""
    if not same_origin(websocket):
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    sessionmaker = websocket.app.state.sessionmaker
    try:
        async with sessionmaker() as session:
            _, caller = await service.login_from_token(
                session, websocket.cookies.get(SESSION_COOKIE)
            )
            principal = supervisor_principal(caller)
            await get_owned(
                session,
                Campaign,
                campaign_id,
                organization_id=principal.organization_id,
                what="campaign",
            )
    except DomainError as error:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=error.detail[:120])
        return
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            async with sessionmaker() as session:
                campaign = await session.get_one(Campaign, campaign_id)
                figures = await campaign_figures(
                    session,
                    campaign=campaign,
                    now=clock_now(websocket),
                    dials_in_flight=await dials_in_flight(websocket, campaign.id),
                )
            await websocket.send_json(figures.model_dump(mode="json"))
            await asyncio.sleep(FIGURES_SECONDS)
