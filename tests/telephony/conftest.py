"""A campaign dialed by the Twilio carrier against the loopback stand-in, inside the app."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.callers.service import hash_password
from phonebank.calling.live import BusNotifier
from phonebank.calls.models import Attempt, Result
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import Carrier
from phonebank.dialer.carriers.twilio import TwilioConfig
from phonebank.dialer.clock import Clock, VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.service import DialerService, make_carrier
from phonebank.scripts.models import Script

# The caller API's desk (a campaign with a scripted carrier) serves the dial-in tests too.
from tests.calling.conftest import (  # noqa: F401 (fixtures)
    NO_PRESENCE,
    PASSWORD,
    PIN,
    Desk,
    build_campaign,
    desk,
    make_desk,
)
from tests.conftest import Tenant
from tests.dialer.conftest import START
from tests.telephony.dialing_in import PUBLIC_URL
from tests.telephony.loopback import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER_NUMBER,
    TwilioLoop,
    twilio_loop,
)

# build_campaign's contacts, in the order the dialer takes them.
NUMBERS = [f"+1415555{2000 + n:04d}" for n in range(5)]


@dataclass
class Line:
    """A campaign whose engine dials through the Twilio carrier and the stand-in."""

    client: httpx.AsyncClient
    app: FastAPI
    clock: VirtualClock
    service: DialerService
    loop: TwilioLoop
    campaign: Campaign
    script: Script
    caller: Caller
    carriers: list[Carrier]

    @property
    def dialer(self) -> CampaignDialer:
        """The campaign's running engine."""
        dialer = self.service.dialer_for(self.campaign.id)
        assert dialer is not None
        return dialer

    async def until(self, done: Callable[[], bool], seconds: float = 10.0) -> None:
        """Let real callbacks arrive and virtual time pass until `done()`."""
        for _ in range(int(seconds / 0.02)):
            if done():
                return
            await asyncio.sleep(0.02)
            await self.clock.run(until=self.clock.now() + timedelta(seconds=0.5))
        assert done(), "timed out"

    async def attempts(self) -> list[Attempt]:
        """The campaign's attempts as stored, oldest first."""
        async with self.app.state.sessionmaker() as session:
            rows = await session.scalars(
                select(Attempt)
                .where(Attempt.campaign_id == self.campaign.id)
                .order_by(Attempt.attempted_at)
            )
            return list(rows)

    async def results(self) -> list[Result]:
        """The campaign's stored results."""
        async with self.app.state.sessionmaker() as session:
            statement = select(Result).where(Result.campaign_id == self.campaign.id)
            rows = await session.scalars(statement)
            return list(rows)

    async def login(self) -> dict[str, str]:
        """Log the browser caller in; the CSRF header."""
        response = await self.client.post(
            "/api/v1/caller/login", json={"email": self.caller.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"X-CSRF-Token": response.json()["csrf_token"]}

    async def join(self, csrf: dict[str, str]) -> uuid.UUID:
        """Join the campaign as a caller; the session id."""
        response = await self.client.post(
            "/api/v1/caller/sessions", json={"campaign_id": str(self.campaign.id)}, headers=csrf
        )
        assert response.status_code == 201, response.text
        return uuid.UUID(response.json()["id"])


@pytest.fixture
async def line(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> AsyncIterator[Line]:
    """A started power campaign of five contacts dialed through Twilio (the stand-in)."""
    campaign, script = await build_campaign(session, tenant.organization_id, len(NUMBERS))
    campaign.access_code = "CAMPAIGN"
    caller = Caller(
        organization_id=tenant.organization_id,
        name="Robin Caller",
        email="robin@example.org",
        password_hash=hash_password(PASSWORD),
        pin_hash=hash_password(PIN),
    )
    session.add(caller)
    await session.commit()
    outcomes = dict(zip(NUMBERS, ("human", "busy", "machine", "no_answer", "human"), strict=True))
    # Every callback is sent twice, and the first two swapped, as real delivery can be.
    async with twilio_loop(
        app, outcomes=outcomes, duplicate_callbacks=True, swap_first_callbacks=True
    ) as loop:
        clock = VirtualClock(START)
        carriers: list[Carrier] = []

        def carrier_factory(_clock: Clock) -> Carrier:
            carriers.append(make_carrier("twilio", clock, loop.options()))
            return carriers[-1]

        service = DialerService(
            app.state.sessionmaker,
            clock=clock,
            notifier=BusNotifier(app.state.bus, app.state.sessionmaker),
            carrier_factory=carrier_factory,
            # The caller acts through the API alone, on virtual time: no page shows presence.
            floor=NO_PRESENCE,
        )
        app.state.dialer = service
        clock.call_later(0, service._discover)
        await clock.run(until=START + timedelta(seconds=1))
        yield Line(client, app, clock, service, loop, campaign, script, caller, carriers)
        for dialer in list(service.dialers.values()):
            await dialer.stop()
            await dialer.carrier.close()


@pytest.fixture
async def phone_desk(desk: Desk, session: AsyncSession, app: FastAPI) -> Desk:  # noqa: F811
    """The desk's campaign with a known access code, a phones-only caller, Twilio configured."""
    desk.campaign.access_code = "CAMPAIGN"
    session.add(
        Caller(
            organization_id=desk.tenant.organization_id,
            name="Sam Phone",
            phones_only=True,
            phone_number="+14155550199",
            pin_hash=hash_password("1357"),
        )
    )
    await session.commit()
    app.state.twilio = TwilioConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        caller_number=CALLER_NUMBER,
        public_url=PUBLIC_URL,
    )
    return desk
