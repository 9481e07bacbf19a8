"""What the caller API asks of a campaign's running engine, and the result it stores."""

import uuid
from collections.abc import Awaitable
from datetime import datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from phonebank.callers.models import CallerSession
from phonebank.calling.schemas import ResultIn
from phonebank.calling.service import require_open
from phonebank.calls.models import Attempt, Call, Result
from phonebank.calls.results import GivenAnswer, record_result
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.live import Agent
from phonebank.dialer.service import DialerService
from phonebank.errors import Conflict, Invalid
from phonebank.events.bus import EventBus, session_channel
from phonebank.organizations.models import Organization
from phonebank.scripts.models import Script, Transfer


def _dialers(request: HTTPConnection) -> DialerService | None:
    return getattr(request.app.state, "dialer", None)


def clock_now(request: HTTPConnection) -> datetime:
    """Now, by the dialer's clock when one runs here (simulations run on virtual time)."""
    dialers = _dialers(request)
    return dialers.clock.now() if dialers is not None else utcnow()


def engine_of(request: HTTPConnection, caller_session: CallerSession) -> CampaignDialer | None:
    """The running engine of the session's campaign, if this process drives it."""
    dialers = _dialers(request)
    return dialers.dialer_for(caller_session.campaign_id) if dialers is not None else None


def dials_in_flight(request: HTTPConnection, campaign_id: uuid.UUID) -> int | None:
    """Dials placed and not yet answered, from the campaign's engine if it runs here."""
    dialers = _dialers(request)
    dialer = dialers.dialer_for(campaign_id) if dialers is not None else None
    if dialer is None:
        return None
    return sum(1 for dial in dialer.dials.values() if dial.answered_at is None)


def running_agent(
    request: HTTPConnection, caller_session: CallerSession
) -> tuple[CampaignDialer, Agent]:
    """The engine and the caller as it sees them; Conflict when the session cannot act now."""
    require_open(caller_session)
    dialer = engine_of(request, caller_session)
    if dialer is None:
        raise Conflict("the campaign is not dialing now (paused, stopped, or not started yet)")
    agent = dialer.agents.get(caller_session.id)
    if agent is None:
        raise Conflict("the dialer has not taken your session yet: try again in a moment")
    return dialer, agent


def _in_state(
    request: HTTPConnection, caller_session: CallerSession, states: set[str], refusal: str
) -> tuple[CampaignDialer, Agent]:
    dialer, agent = running_agent(request, caller_session)
    if agent.state not in states:
        raise Conflict(f"you are {agent.state}: {refusal}")
    return dialer, agent


async def pause(
    request: HTTPConnection, caller_session: CallerSession, paused: bool
) -> CampaignDialer:
    """Pause (no calls offered) or come back; only between calls."""
    dialer, agent = running_agent(request, caller_session)
    if agent.state not in {"available", "paused"}:
        raise Conflict(f"you are {agent.state}: pause between calls", field="paused")
    dialer.pause(caller_session.id, paused)
    return dialer


async def dial_preview(request: HTTPConnection, caller_session: CallerSession) -> CampaignDialer:
    """Dial the contact being previewed."""
    dialer, agent = running_agent(request, caller_session)
    if agent.preview is None:
        raise Conflict("there is no contact to dial: wait for a preview")
    await dialer.dial_preview(caller_session.id)
    return dialer


async def skip_preview(request: HTTPConnection, caller_session: CallerSession) -> CampaignDialer:
    """Skip the contact being previewed."""
    dialer, agent = running_agent(request, caller_session)
    if agent.preview is None:
        raise Conflict("there is no contact to skip")
    dialer.skip_preview(caller_session.id)
    return dialer


async def hang_up(request: HTTPConnection, caller_session: CallerSession) -> CampaignDialer:
    """End the connected call (after a warm transfer: leave it)."""
    dialer, _ = _in_state(request, caller_session, {"connected"}, "there is no call to hang up")
    await dialer.hang_up(caller_session.id)
    return dialer


async def transfer(
    request: HTTPConnection, caller_session: CallerSession, target: Transfer
) -> CampaignDialer:
    """Hand the connected contact to one of the script's transfers."""
    dialer, _ = _in_state(request, caller_session, {"connected"}, "there is no call to transfer")
    warm = target.transfer_type == "warm"
    await _carrier_can(dialer.transfer(caller_session.id, target.phone_number, warm=warm))
    return dialer


async def drop_voicemail(request: HTTPConnection, caller_session: CallerSession) -> CampaignDialer:
    """Leave the campaign's voicemail message and wrap up."""
    dialer, _ = _in_state(
        request, caller_session, {"connected"}, "there is no call to leave a message on"
    )
    await dialer.drop_voicemail(caller_session.id)
    return dialer


async def monitor(
    request: HTTPConnection, caller_session: CallerSession, *, supervisor: str, mode: str
) -> None:
    """A supervisor listens in on (or breaks in to) the caller's connected call."""
    dialer, agent = running_agent(request, caller_session)
    if agent.state != "connected":
        raise Conflict(f"the caller is {agent.state}: there is no call to join")
    await _carrier_can(dialer.monitor(caller_session.id, supervisor=supervisor, mode=mode))


async def _carrier_can(action: Awaitable[object]) -> None:
    # A carrier without the feature says so; the client gets a clear refusal, not a 500.
    try:
        await action
    except NotImplementedError as error:
        raise Conflict(str(error)) from None


async def join_engine(request: Request, caller_session: CallerSession) -> None:
    """Hand a committed session to its campaign's engine (if it runs here)."""
    dialer = engine_of(request, caller_session)
    if dialer is not None and caller_session.id not in dialer.agents:
        dialer.join(caller_session.id, caller_session.caller_id)


async def leave_engine(
    request: Request, caller_session: CallerSession, reason: str = "left"
) -> None:
    """Take a session out of its engine, hanging up a call it is still on; tell its page."""
    bus: EventBus = request.app.state.bus
    bus.publish(session_channel(caller_session.id), {"type": "ended", "reason": reason})
    dialer = engine_of(request, caller_session)
    if dialer is None:
        return
    agent = dialer.agents.get(caller_session.id)
    if agent is not None and agent.state == "connected":
        await dialer.hang_up(caller_session.id)
    dialer.leave(caller_session.id)


async def transfer_target(
    session: AsyncSession, caller_session: CallerSession, transfer_id: uuid.UUID
) -> Transfer:
    """A transfer of the campaign's script, or Invalid naming `transfer_id`."""
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    target = await session.get(Transfer, transfer_id)
    if target is None or campaign.script_id is None or target.script_id != campaign.script_id:
        raise Invalid("no such transfer in the campaign's script", field="transfer_id")
    return target


async def _attempt_in_hand(
    session: AsyncSession,
    dialer: CampaignDialer | None,
    caller_session: CallerSession,
    call_id: uuid.UUID | None,
) -> tuple[Call, Attempt]:
    agent = dialer.agents.get(caller_session.id) if dialer is not None else None
    if agent is not None and agent.state == "connected":
        raise Conflict("hang up (or transfer) before saving the result")
    if agent is not None and agent.state == "wrap_up" and agent.dial is not None:
        placed = agent.dial.placed
        return await session.get_one(Call, placed.call_id), await session.get_one(
            Attempt, placed.attempt_id
        )
    if call_id is None:
        raise Conflict("you have no contact to save a result for")
    # The dialer let the call go (stopped, restarted): the caller names the call instead.
    call = await session.get(Call, call_id)
    if call is None or call.campaign_id != caller_session.campaign_id:
        raise Invalid("no such call in your campaign", field="call_id")
    # The caller's result already saved for it (saving twice returns it), else its last dial.
    attempt = await session.scalar(
        select(Attempt)
        .join(Result, Result.attempt_id == Attempt.id)
        .where(Result.call_id == call.id, Result.caller_id == caller_session.caller_id)
        .limit(1)
    ) or await session.scalar(
        select(Attempt)
        .where(Attempt.call_id == call.id)
        .order_by(Attempt.attempted_at.desc())
        .limit(1)
    )
    if attempt is None or attempt.caller_id not in (None, caller_session.caller_id):
        raise Invalid("you did not talk with this contact", field="call_id")
    return call, attempt


async def save_result(
    session: AsyncSession,
    request: Request,
    *,
    caller_session: CallerSession,
    body: ResultIn,
) -> tuple[Result, bool]:
    """Store the result of the caller's contact and free the caller for the next one."""
    return await store_result(
        session,
        dialer=engine_of(request, caller_session),
        caller_session=caller_session,
        body=body,
        now=clock_now(request),
    )


async def store_result(
    session: AsyncSession,
    *,
    dialer: CampaignDialer | None,
    caller_session: CallerSession,
    body: ResultIn,
    now: datetime,
) -> tuple[Result, bool]:
    """Store a session's result through its campaign's engine (browser and phone callers alike)."""
    require_open(caller_session)
    call, attempt = await _attempt_in_hand(session, dialer, caller_session, body.call_id)
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    script = await session.get(Script, campaign.script_id) if campaign.script_id else None
    result, created = await record_result(
        session,
        organization=await session.get_one(Organization, campaign.organization_id),
        call=call,
        attempt=attempt,
        caller_id=caller_session.caller_id,
        script=script,
        disposition=body.disposition,
        answers=[GivenAnswer(a.question_id, tuple(a.responses), a.text) for a in body.answers],
        notes=body.notes,
        now=now,
    )
    if dialer is not None:
        await dialer.submit(caller_session.id, body.disposition, record=False)
    return result, created
