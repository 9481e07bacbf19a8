"""Phones-only callers: log in from a keypad, take calls in a conference, key in results.

The same services as the browser flow, reached from a telephone: the campaign's access code
and the caller's PIN open a login and a caller session (which the engine then takes, as a
browser's would), and keyed-in results are stored through `store_result`. Whatever carries
the keypad (Twilio's <Gather>, or simulated keypad events) only turns digits into these calls.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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
from phonebank.dialer.commands import AgentView, EngineLink
from phonebank.errors import Invalid, Unauthorized
from phonebank.scripts.models import Script, Transfer

# The in-call menu (`*` during a call): end it, go back to it, or hand the contact on.
END_CALL, BACK_TO_CALL = "1", "2"
TRANSFER_DIGITS = "3456789"
# Where the caller goes after the in-call menu: the result menus, or back into the room.
NextStep = Literal["results", "room"]


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
    """End the caller's call (leave it, after a warm transfer); whether there was one."""
    reply = await engine.ask("phone_hang_up", caller_session.id)
    return reply is not None and bool(reply.value)


async def live_agent(engine: EngineLink, caller_session: CallerSession) -> AgentView | None:
    """The caller as their campaign's engine sees them now (None: no engine has them)."""
    reply = await engine.ask("view", caller_session.id)
    return reply.agent if reply is not None else None


def on_call(agent: AgentView | None) -> bool:
    """Whether the caller is on a call now (talking, or in a warm transfer)."""
    return agent is not None and agent.state == "connected"


@dataclass(frozen=True)
class CallMenu:
    """What `*` during a call offers: its sentence, and the transfers by digit."""

    text: str
    transfers: dict[str, Transfer]


async def call_menu(
    session: AsyncSession, *, agent: AgentView | None, caller_session: CallerSession
) -> CallMenu:
    """The in-call menu: end the call, go back to it, or transfer (once) to the script's numbers."""
    if agent is not None and agent.call_state == "transferred":
        text = (
            f"Press {END_CALL} to leave the call and enter the result, "
            f"{BACK_TO_CALL} to go back to the call."
        )
        return CallMenu(text, {})
    campaign = await session.get_one(Campaign, caller_session.campaign_id)
    script = await session.get(Script, campaign.script_id) if campaign.script_id else None
    targets = list(script.transfers if script is not None else [])[: len(TRANSFER_DIGITS)]
    transfers = dict(zip(TRANSFER_DIGITS, targets, strict=False))
    offers = "".join(f" {digit} to transfer to {t.label}," for digit, t in transfers.items())
    text = (
        f"Press {END_CALL} to hang up and enter the result,{offers} "
        f"{BACK_TO_CALL} to go back to the call."
    )
    return CallMenu(text, transfers)


async def choose_on_call(
    session: AsyncSession,
    *,
    engine: EngineLink,
    caller_session: CallerSession,
    digits: str,
) -> NextStep:
    """Act on the in-call menu's digit; where the caller goes next. Invalid for no choice."""
    digit = digits.strip().rstrip("#")
    agent = await live_agent(engine, caller_session)
    if not on_call(agent):
        return "results"  # the call ended while the menu was read
    menu = await call_menu(session, agent=agent, caller_session=caller_session)
    if digit in ("", BACK_TO_CALL):
        return "room"
    if digit == END_CALL:
        await hang_up_contact(engine, caller_session)
        return "results"
    target = menu.transfers.get(digit)
    if target is None:
        raise Invalid(f"{digit!r} is not a choice", field="digits")
    warm = target.transfer_type == "warm"
    # The engine's rules apply (Conflict when the call ended or the carrier cannot transfer).
    await engine.ask("transfer", caller_session.id, number=target.phone_number, warm=warm)
    # A warm transfer keeps the caller on the line until they leave; a cold one frees them.
    return "room" if warm else "results"


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
