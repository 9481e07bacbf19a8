"""Phones-only callers: log in from a keypad, take calls in a conference, key in results.

The same services as the browser flow, reached from a telephone: the campaign's access code
and the caller's PIN open a login and a caller session (which the engine then takes, as a
browser's would), and keyed-in results are stored through `store_result`. Whatever carries
the keypad (Twilio's <Gather>, or simulated keypad events) only turns digits into these calls.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller, CallerSession
from phonebank.calling.keypad import Prompt, keyed_form, prompts_for, result_from_entries
from phonebank.calling.service import (
    JOINABLE_STATUSES,
    authenticate_caller,
    create_login,
    open_session,
)
from phonebank.calling.session_actions import store_result
from phonebank.calls.models import Result
from phonebank.campaigns.models import Campaign
from phonebank.dialer.commands import EngineLink
from phonebank.errors import Unauthorized
from phonebank.scripts.models import Script


@dataclass(frozen=True)
class PhoneLogin:
    """A caller who dialed in, the session opened for them, and the sessions it ended."""

    caller: Caller
    campaign: Campaign
    caller_session: CallerSession
    ended: list[CallerSession]


async def _codes_keyed(session: AsyncSession, digits: str) -> list[str]:
    # Few campaigns take callers at any time, and a code keyed as digits names one of them.
    codes = await session.scalars(
        select(Campaign.access_code).where(
            Campaign.status.in_(JOINABLE_STATUSES), Campaign.access_code.is_not(None)
        )
    )
    return [code for code in codes if code is not None and keyed_form(code) == digits]


async def dial_in(session: AsyncSession, *, keyed_code: str, pin: str, now: datetime) -> PhoneLogin:
    """Log a caller in with the campaign's access code (as keyed in) and their PIN."""
    found: tuple[Caller, Campaign | None] | None = None
    for code in await _codes_keyed(session, keyed_form(keyed_code)):
        try:
            found = await authenticate_caller(
                session, email=None, password=None, access_code=code, pin=pin
            )
            break
        except Unauthorized:
            continue
    campaign = found[1] if found is not None else None
    if found is None or campaign is None:
        raise Unauthorized("wrong access code or PIN")
    caller = found[0]
    made = await create_login(session, caller=caller, campaign=campaign, now=now)
    caller_session, ended = await open_session(
        session, caller=caller, login=made.login, campaign_id=campaign.id, now=now
    )
    return PhoneLogin(caller, campaign, caller_session, ended)


async def result_prompts(session: AsyncSession, *, caller_session: CallerSession) -> list[Prompt]:
    """The keypad menus of a result in the session's campaign."""
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    script = await session.get(Script, campaign.script_id) if campaign.script_id else None
    return prompts_for(script)


async def hang_up_contact(engine: EngineLink, caller_session: CallerSession) -> bool:
    """The caller pressed `*` on a call: end it; whether there was a call to end."""
    reply = await engine.ask("phone_hang_up", caller_session.id)
    return reply is not None and bool(reply.value)


async def save_keyed_result(
    session: AsyncSession,
    *,
    engine: EngineLink,
    caller_session: CallerSession,
    entries: Sequence[str],
    now: datetime,
) -> tuple[Result, bool]:
    """Store the result keyed in (one entry per menu) and free the caller for the next call."""
    prompts = await result_prompts(session, caller_session=caller_session)
    body = result_from_entries(prompts, entries)
    return await store_result(
        session, engine=engine, caller_session=caller_session, body=body, now=now
    )
