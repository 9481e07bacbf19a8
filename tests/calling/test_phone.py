"""A phones-only caller under the simulated carrier, driven by simulated keypad events.

The caller keys in the campaign's access code and their PIN, is connected to contacts the
simulated carrier answers, and keys in the script's answers and the disposition; the result
lands through the same services as a browser caller's.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller, CallerSession
from phonebank.callers.service import hash_password
from phonebank.calling import phone
from phonebank.calling.keypad import keyed_form
from phonebank.calling.live import BusNotifier
from phonebank.calls.models import Answer, Attempt, Result
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import Carrier
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import Clock, VirtualClock
from phonebank.dialer.commands import link_to
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.service import DialerService
from phonebank.errors import Unauthorized
from phonebank.scripts.models import Script
from tests.calling.conftest import PIN, build_campaign
from tests.conftest import Tenant
from tests.dialer.conftest import START

ACCESS_CODE = "CAMPAIGN"


@dataclass
class Phone:
    """A telephone keypad in a campaign the simulated carrier dials."""

    session: AsyncSession
    clock: VirtualClock
    service: DialerService
    campaign: Campaign
    script: Script
    caller_session: CallerSession | None = None

    @property
    def dialer(self) -> CampaignDialer:
        """The campaign's engine."""
        dialer = self.service.dialer_for(self.campaign.id)
        assert dialer is not None
        return dialer

    def state(self) -> str | None:
        """The caller's state as the engine sees it."""
        assert self.caller_session is not None
        agent = self.dialer.agents.get(self.caller_session.id)
        return agent.state if agent is not None else None

    async def until(self, done: Callable[[], bool]) -> None:
        """Let virtual time pass, a second at a time, until `done()` (ten minutes at most)."""
        for _ in range(600):
            if done():
                return
            await self.clock.run(until=self.clock.now() + timedelta(seconds=1))
        assert done(), f"timed out in state {self.state()}"

    async def dial_in(self, code_digits: str, pin_digits: str) -> None:
        """Key in the code and the PIN; the engine takes the session once it is stored."""
        login = await phone.dial_in(
            self.session, keyed_code=code_digits, pin=pin_digits, now=self.clock.now()
        )
        await self.session.commit()
        self.caller_session = login.caller_session
        self.dialer.join(login.caller_session.id, login.caller.id)

    async def star(self) -> bool:
        """Press `*`: end the call in progress, if any."""
        assert self.caller_session is not None
        return await phone.hang_up_contact(link_to(self.dialer), self.caller_session)

    async def key_in(self, *entries: str) -> Result:
        """Answer the result menus, one entry of digits each."""
        assert self.caller_session is not None
        result, created = await phone.save_keyed_result(
            self.session,
            engine=link_to(self.dialer),
            caller_session=self.caller_session,
            entries=entries,
            now=self.clock.now(),
        )
        await self.session.commit()
        assert created
        return result


@pytest.fixture
async def keypad(app: FastAPI, session: AsyncSession, tenant: Tenant) -> Phone:
    """A started power campaign whose contacts all answer, and a phones-only caller."""
    campaign, script = await build_campaign(session, tenant.organization_id, 3)
    campaign.access_code = ACCESS_CODE
    session.add(
        Caller(
            organization_id=tenant.organization_id,
            name="Sam Phone",
            phone_number="+14155550199",
            phones_only=True,
            pin_hash=hash_password(PIN),
        )
    )
    await session.commit()
    clock = VirtualClock(START)
    world = SimulatedCarrierConfig.from_scenario(human=1.0, machine=0.0, talk_mean=30.0)

    def carrier_factory(_clock: Clock) -> Carrier:
        return SimulatedCarrier(clock, world, seed=5)

    service = DialerService(
        app.state.sessionmaker,
        clock=clock,
        notifier=BusNotifier(app.state.bus, app.state.sessionmaker),
        carrier_factory=carrier_factory,
    )
    app.state.dialer = service
    clock.call_later(0, service._discover)
    await clock.run(until=START + timedelta(seconds=1))
    return Phone(session, clock, service, campaign, script)


async def test_a_phones_only_caller_completes_a_call_with_keypad_answers(keypad: Phone) -> None:
    await keypad.dial_in(keyed_form(ACCESS_CODE), PIN)
    await keypad.until(lambda: keypad.state() == "connected")
    await keypad.until(lambda: keypad.state() == "wrap_up")  # the contact said goodbye
    result = await keypad.key_in("1", "31", "1")
    assert keypad.state() in {"available", "connected"}

    stored = await keypad.session.get_one(Result, result.id, populate_existing=True)
    assert stored.disposition == "completed"
    assert keypad.caller_session is not None
    assert stored.caller_id == keypad.caller_session.caller_id
    answers = await keypad.session.scalars(select(Answer).where(Answer.result_id == result.id))
    questions = {q.id: q.name for q in keypad.script.questions}
    assert {questions[a.question_id]: a.responses for a in answers} == {
        "support": ["yes"],
        "issues": ["schools", "housing"],
    }
    attempt = await keypad.session.get_one(Attempt, stored.attempt_id)
    assert attempt.carrier == "simulated"


async def test_star_ends_the_call_and_the_menus_follow(keypad: Phone) -> None:
    await keypad.dial_in(keyed_form(ACCESS_CODE), PIN)
    assert not await keypad.star()  # no call yet: nothing to end
    await keypad.until(lambda: keypad.state() == "connected")
    assert await keypad.star()
    await keypad.until(lambda: keypad.state() == "wrap_up")
    result = await keypad.key_in("2", "", "3")
    assert result.disposition == "not_available"


async def test_the_call_menu_hands_the_contact_to_a_warm_transfer_and_lets_go(
    keypad: Phone,
) -> None:
    await keypad.dial_in(keyed_form(ACCESS_CODE), PIN)
    await keypad.until(lambda: keypad.state() == "connected")
    assert keypad.caller_session is not None
    engine = link_to(keypad.dialer)
    agent = await phone.live_agent(engine, keypad.caller_session)
    menu = await phone.call_menu(keypad.session, agent=agent, caller_session=keypad.caller_session)
    assert [t.label for t in menu.transfers.values()] == ["Field office", "Hotline"]

    async def choose(digits: str) -> str:
        assert keypad.caller_session is not None
        return await phone.choose_on_call(
            keypad.session,
            engine=engine,
            caller_session=keypad.caller_session,
            digits=digits,
        )

    assert await choose("2") == "room"
    assert await choose("3#") == "room"  # the warm one: the caller stays on
    assert keypad.state() == "connected"
    assert await choose("1") == "results"  # leaving the transfer frees the caller
    assert keypad.state() == "wrap_up"
    result = await keypad.key_in("1", "", "1")
    assert result.disposition == "completed"


async def test_a_wrong_pin_or_code_opens_nothing(keypad: Phone) -> None:
    with pytest.raises(Unauthorized):
        await keypad.dial_in(keyed_form(ACCESS_CODE), "0000")
    with pytest.raises(Unauthorized):
        await keypad.dial_in("99999999", PIN)
    sessions = await keypad.session.scalars(
        select(CallerSession).where(CallerSession.campaign_id == keypad.campaign.id)
    )
    assert list(sessions) == []
    assert uuid.UUID(int=0) not in keypad.dialer.agents
