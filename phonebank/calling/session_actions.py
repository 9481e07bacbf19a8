"""What the caller API asks of a campaign's running engine, and the result it stores.

The engine may run in this process or in a dialer worker: `link_of` finds the way, and the
engine applies the rules of each action (`dialer.commands`) either way.
"""

import logging
import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from phonebank.callers.models import CallerSession
from phonebank.calling.drafts import discard_drafts
from phonebank.calling.schemas import ResultIn
from phonebank.calling.service import require_open
from phonebank.calls.models import Attempt, Call, Result
from phonebank.calls.results import GivenAnswer, record_result
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.dialer.commands import (
    CAMPAIGN_SESSION,
    NO_ENGINE,
    EngineLink,
    LocalLink,
    Reply,
)
from phonebank.dialer.remote import CommandClient, RemoteLink
from phonebank.dialer.service import DialerService
from phonebank.errors import Conflict, DomainError, Invalid
from phonebank.events.bus import EventBus, session_channel
from phonebank.organizations.models import Organization
from phonebank.scripts.models import Script, Transfer

logger = logging.getLogger("phonebank.calling")


def _dialers(request: HTTPConnection) -> DialerService | None:
    return getattr(request.app.state, "dialer", None)


def clock_now(request: HTTPConnection) -> datetime:
    """Now, by the dialer's clock when one runs here (simulations run on virtual time)."""
    dialers = _dialers(request)
    return dialers.clock.now() if dialers is not None else utcnow()


def link_of(request: HTTPConnection, campaign_id: uuid.UUID) -> EngineLink:
    """The way to the campaign's engine: in this process, through Redis, or none."""
    dialers = _dialers(request)
    dialer = dialers.dialer_for(campaign_id) if dialers is not None else None
    if dialer is not None:
        return LocalLink(dialer)
    client: CommandClient | None = getattr(request.app.state, "commands", None)
    if client is None:
        return NO_ENGINE
    return RemoteLink(client, request.app.state.sessionmaker, campaign_id)


def engine_of(request: HTTPConnection, caller_session: CallerSession) -> EngineLink:
    """The way to the engine of the session's campaign."""
    return link_of(request, caller_session.campaign_id)


async def live_view(request: HTTPConnection, caller_session: CallerSession) -> Reply | None:
    """The session as its campaign's engine sees it; None when the campaign is not dialing."""
    return await engine_of(request, caller_session).ask("view", caller_session.id)


async def dials_in_flight(request: HTTPConnection, campaign_id: uuid.UUID) -> int | None:
    """Dials placed and not yet answered, from the campaign's engine wherever it runs."""
    reply = await link_of(request, campaign_id).ask("in_flight", CAMPAIGN_SESSION)
    return int(reply.value) if reply is not None else None


async def act(
    request: HTTPConnection, caller_session: CallerSession, command: str, **args: Any
) -> Reply:
    """Carry out a caller's command in the engine, by the engine's rules (`dialer.commands`)."""
    require_open(caller_session)
    reply = await engine_of(request, caller_session).ask(command, caller_session.id, **args)
    if reply is None:
        raise Conflict("the campaign is not dialing now (paused, stopped, or not started yet)")
    if reply.agent is None:
        raise Conflict("the dialer has not taken your session yet: try again in a moment")
    return reply


async def join_engine(request: Request, caller_session: CallerSession) -> None:
    """Hand a committed session to its campaign's engine (wherever it runs)."""
    await _quietly(
        engine_of(request, caller_session).ask(
            "join", caller_session.id, caller_id=str(caller_session.caller_id)
        )
    )


async def leave_engine(
    request: Request, caller_session: CallerSession, reason: str = "left"
) -> None:
    """Take a session out of its engine, hanging up a call it is still on; tell its page."""
    bus: EventBus = request.app.state.bus
    bus.publish(session_channel(caller_session.id), {"type": "ended", "reason": reason})
    await _quietly(engine_of(request, caller_session).ask("leave", caller_session.id))


async def _quietly(asked: Awaitable[object]) -> None:
    # After the response: an engine that does not answer now takes open sessions when it starts.
    try:
        await asked
    except DomainError as error:
        logger.warning("the dialer did not take a session change: %s", error.detail)


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
    live: Reply | None,
    caller_session: CallerSession,
    call_id: uuid.UUID | None,
) -> tuple[Call, Attempt]:
    agent = live.agent if live is not None else None
    if agent is not None and agent.state == "connected":
        raise Conflict("hang up (or transfer) before saving the result")
    # Paused with the call still in hand: a wrap-up that ran too long, or a page that was gone.
    if agent is not None and agent.state in {"wrap_up", "paused"} and agent.on_dial:
        assert agent.call_id is not None and agent.attempt_id is not None
        return await session.get_one(Call, agent.call_id), await session.get_one(
            Attempt, agent.attempt_id
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
        engine=engine_of(request, caller_session),
        caller_session=caller_session,
        body=body,
        now=clock_now(request),
    )


async def store_result(
    session: AsyncSession,
    *,
    engine: EngineLink,
    caller_session: CallerSession,
    body: ResultIn,
    now: datetime,
) -> tuple[Result, bool]:
    """Store a session's result through its campaign's engine (browser and phone callers alike).

    A session that ended under the caller (a restart, a stop) still takes the result of a call
    it named: what the caller typed is not lost with it.
    """
    if body.call_id is None:
        require_open(caller_session)
    live = await engine.ask("view", caller_session.id)
    call, attempt = await _attempt_in_hand(session, live, caller_session, body.call_id)
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
    await discard_drafts(session, caller_session=caller_session, call_id=call.id)
    if live is not None and live.agent is not None:
        await engine.ask("submit", caller_session.id, disposition=body.disposition)
    return result, created
