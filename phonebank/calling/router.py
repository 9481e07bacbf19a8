"""The caller API, `/api/v1/caller`: log in, join a campaign, take calls, save results."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response, status

from phonebank.auth.dependencies import DbSession, client_address
from phonebank.callers.models import CallerSession
from phonebank.calling import drafts, service
from phonebank.calling import session_actions as actions
from phonebank.calling.cookies import CSRF_COOKIE, SESSION_COOKIE
from phonebank.calling.dependencies import CallerAuth, CurrentCaller
from phonebank.calling.live import session_view
from phonebank.calling.schemas import (
    CallerView,
    CampaignChoice,
    DraftIn,
    DraftOut,
    JoinIn,
    LoginIn,
    LoginOut,
    PauseIn,
    ResultIn,
    ResultOut,
    SessionView,
    TransferIn,
)
from phonebank.calling.session_actions import (
    act,
    clock_now,
    join_engine,
    leave_engine,
    live_view,
    save_result,
)
from phonebank.calling.throttle import login_keys, throttled
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.errors import NotFound
from phonebank.scripts.models import Script
from phonebank.scripts.schemas import ScriptOut

router = APIRouter(prefix="/caller", tags=["caller"])


def _caller_view(auth: CallerAuth) -> CallerView:
    return CallerView.model_validate(auth.caller)


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, response: Response, session: DbSession) -> object:
    """Log in with email and password, or a campaign access code and PIN; sets the cookies."""
    caller, campaign = await throttled(
        request.app.state.login_throttle,
        login_keys(email=body.email, access_code=body.access_code, address=client_address(request)),
        service.authenticate_caller(
            session,
            email=body.email,
            password=body.password,
            access_code=body.access_code,
            pin=body.pin,
        ),
    )
    made = await service.create_login(session, caller=caller, campaign=campaign, now=utcnow())
    secure = request.url.scheme == "https"
    max_age = int(service.LOGIN_LIFETIME.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        made.token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # Readable by the page's script, which echoes it in the X-CSRF-Token header.
    response.set_cookie(
        CSRF_COOKIE,
        made.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return LoginOut(
        caller=CallerView.model_validate(caller),
        csrf_token=made.csrf_token,
        campaign_id=made.login.campaign_id,
        expires_at=made.login.expires_at,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    auth: CurrentCaller, session: DbSession, request: Request, background: BackgroundTasks
) -> Response:
    """Log out: leave the open caller session (a call in progress is hung up), end the login."""
    caller_session = await service.open_session_of(session, caller=auth.caller)
    if caller_session is not None:
        await service.end_session(
            session, caller_session=caller_session, reason="logged_out", now=clock_now(request)
        )
        background.add_task(leave_engine, request, caller_session, "logged_out")
    await service.end_login(session, login=auth.login, now=utcnow())
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=CallerView)
async def me(auth: CurrentCaller) -> object:
    """The logged-in caller."""
    return _caller_view(auth)


@router.get("/campaigns", response_model=list[CampaignChoice])
async def campaigns(auth: CurrentCaller, session: DbSession) -> object:
    """The campaigns this caller may join now."""
    return await service.joinable_campaigns(session, caller=auth.caller, login=auth.login)


@router.get("/sessions/current", response_model=SessionView)
async def current_session(auth: CurrentCaller, session: DbSession, request: Request) -> object:
    """The caller's open session, if any (a page that reloads picks up where it was)."""
    found = await service.open_session_of(session, caller=auth.caller)
    if found is None:
        raise NotFound("no open caller session")
    return await session_view(session, caller_session=found, live=await live_view(request, found))


@router.post("/sessions", response_model=SessionView, status_code=status.HTTP_201_CREATED)
async def join(
    body: JoinIn,
    auth: CurrentCaller,
    session: DbSession,
    request: Request,
    background: BackgroundTasks,
) -> object:
    """Join a campaign and start calling; ends the caller's other open sessions."""
    caller_session, ended = await service.open_session(
        session,
        caller=auth.caller,
        login=auth.login,
        campaign_id=body.campaign_id,
        now=clock_now(request),
        from_page=True,
    )
    for old in ended:
        background.add_task(leave_engine, request, old, "rejoined")
    # The engine hears of the session after it is committed: its ledger rows refer to it.
    background.add_task(join_engine, request, caller_session)
    return await session_view(session, caller_session=caller_session, live=None)


async def _own_session(
    session: DbSession, auth: CurrentCaller, session_id: uuid.UUID
) -> CallerSession:
    return await service.get_caller_session(session, caller=auth.caller, session_id=session_id)


OwnSession = Annotated[CallerSession, Depends(_own_session)]


@router.get("/sessions/{session_id}", response_model=SessionView)
async def get_session(caller_session: OwnSession, session: DbSession, request: Request) -> object:
    """The session's state and the contact in hand, if any."""
    return await session_view(
        session, caller_session=caller_session, live=await live_view(request, caller_session)
    )


@router.get("/sessions/{session_id}/script", response_model=ScriptOut)
async def get_script(caller_session: OwnSession, session: DbSession) -> object:
    """The campaign's script: texts, questions with their responses, note fields, transfers."""
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    script = await session.get(Script, campaign.script_id) if campaign.script_id else None
    if script is None:
        raise NotFound("the campaign has no script")
    return script


@router.post("/sessions/{session_id}/heartbeat", status_code=status.HTTP_204_NO_CONTENT)
async def heartbeat(caller_session: OwnSession, session: DbSession, request: Request) -> Response:
    """Say the caller's page is still there (without it and the event stream, the caller is
    paused, then the session ends); 409 once the session has ended."""
    service.require_open(caller_session)
    await service.mark_seen(session, session_id=caller_session.id, now=clock_now(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/drafts", response_model=list[DraftOut])
async def unsaved_drafts(auth: CurrentCaller, session: DbSession) -> object:
    """Your drafts whose result is not saved yet (also of ended sessions), newest first."""
    return await drafts.unsaved_drafts(session, caller_id=auth.caller.id)


@router.get("/sessions/{session_id}/drafts/{call_id}", response_model=DraftOut)
async def get_draft(call_id: uuid.UUID, caller_session: OwnSession, session: DbSession) -> object:
    """What you typed for a call so far."""
    return await drafts.get_draft(session, caller_session=caller_session, call_id=call_id)


@router.put("/sessions/{session_id}/drafts/{call_id}", response_model=DraftOut)
async def save_draft(
    call_id: uuid.UUID, body: DraftIn, caller_session: OwnSession, session: DbSession
) -> object:
    """Keep what you typed for a call (answers, notes, disposition) until its result is saved."""
    return await drafts.save_draft(
        session, caller_session=caller_session, call_id=call_id, data=body, now=utcnow()
    )


@router.post("/sessions/{session_id}/pause", response_model=SessionView)
async def pause(
    body: PauseIn, caller_session: OwnSession, session: DbSession, request: Request
) -> object:
    """Pause (no calls offered) or come back; only between calls."""
    live = await act(request, caller_session, "pause", paused=body.paused)
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/preview/dial", response_model=SessionView)
async def dial_preview(caller_session: OwnSession, session: DbSession, request: Request) -> object:
    """Dial the contact being previewed."""
    live = await act(request, caller_session, "dial_preview")
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/preview/skip", response_model=SessionView)
async def skip_preview(caller_session: OwnSession, session: DbSession, request: Request) -> object:
    """Skip the contact being previewed; it comes back after the campaign's no-answer wait."""
    live = await act(request, caller_session, "skip_preview")
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/hangup", response_model=SessionView)
async def hang_up(caller_session: OwnSession, session: DbSession, request: Request) -> object:
    """End the connected call (after a warm transfer: leave it, the contact stays)."""
    live = await act(request, caller_session, "hang_up")
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/transfer", response_model=SessionView)
async def transfer(
    body: TransferIn, caller_session: OwnSession, session: DbSession, request: Request
) -> object:
    """Transfer the contact: warm (you stay until you hang up) or cold (you are free at once)."""
    await act(request, caller_session, "view")
    target = await actions.transfer_target(session, caller_session, body.transfer_id)
    live = await act(
        request,
        caller_session,
        "transfer",
        number=target.phone_number,
        warm=target.transfer_type == "warm",
    )
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/voicemail", response_model=SessionView)
async def drop_voicemail(
    caller_session: OwnSession, session: DbSession, request: Request
) -> object:
    """Leave the campaign's voicemail message on the answering machine and wrap up."""
    live = await act(request, caller_session, "drop_voicemail")
    return await session_view(session, caller_session=caller_session, live=live)


@router.post("/sessions/{session_id}/result", response_model=ResultOut)
async def submit_result(
    body: ResultIn,
    auth: CurrentCaller,
    caller_session: OwnSession,
    session: DbSession,
    request: Request,
    response: Response,
    background: BackgroundTasks,
) -> object:
    """Save the contact's result, then take the next call (`then: continue`) or stop."""
    result, created = await save_result(session, request, caller_session=caller_session, body=body)
    if body.then == "stop" and caller_session.ended_at is None:
        await service.end_session(
            session, caller_session=caller_session, reason="stopped", now=clock_now(request)
        )
        background.add_task(leave_engine, request, caller_session, "stopped")
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    view = await session_view(
        session, caller_session=caller_session, live=await live_view(request, caller_session)
    )
    return ResultOut(
        id=result.id,
        call_id=result.call_id,
        attempt_id=result.attempt_id,
        disposition=result.disposition,
        created=created,
        session=view,
    )


@router.delete("/sessions/{session_id}", response_model=SessionView)
async def leave(
    caller_session: OwnSession, session: DbSession, request: Request, background: BackgroundTasks
) -> object:
    """Stop calling: end the session (a call in progress is hung up)."""
    if caller_session.ended_at is None:
        await service.end_session(
            session, caller_session=caller_session, reason="left", now=clock_now(request)
        )
        background.add_task(leave_engine, request, caller_session)
    return await session_view(session, caller_session=caller_session, live=None)
