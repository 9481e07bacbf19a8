"""Caller API fixtures: a started campaign with a script, a caller, and its dialer running on a
virtual clock with a scripted carrier, inside the application the client talks to."""

import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.callers.models import Caller
from phonebank.callers.service import hash_password
from phonebank.calling.live import BusNotifier
from phonebank.calls.models import Call, Result
from phonebank.campaigns.models import Campaign
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.presence import FloorRules
from phonebank.dialer.service import DialerService
from phonebank.events.bus import EventBus
from phonebank.people.models import Person
from phonebank.scripts.models import NoteField, Question, QuestionResponse, Script, Transfer
from tests.conftest import Tenant
from tests.dialer.conftest import START, ScriptedCarrier

PASSWORD = "correct horse battery"
PIN = "2468"


class DeskCarrier(ScriptedCarrier):
    """The scripted carrier, also writing down transfers and monitoring."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__(clock)
        self.transfers: list[tuple[str, str, bool]] = []
        self.monitors: list[tuple[str, str, str]] = []
        self.releases: list[str] = []

    async def release(self, carrier_call_id: str) -> None:
        """Write the caller's leaving a warm transfer down."""
        self.releases.append(carrier_call_id)

    async def transfer(self, carrier_call_id: str, number: str, *, warm: bool) -> None:
        """Write the transfer down; the contact stays on the line."""
        self.transfers.append((carrier_call_id, number, warm))

    async def monitor(self, carrier_call_id: str, *, supervisor: str, mode: str) -> None:
        """Write the supervisor's joining down."""
        self.monitors.append((carrier_call_id, supervisor, mode))


@dataclass
class Desk:
    """A campaign being dialed, and the handles a test needs to play its calls."""

    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: VirtualClock
    carriers: list[DeskCarrier]
    service: DialerService
    campaign: Campaign
    caller: Caller
    script: Script
    tenant: Tenant
    bus: EventBus

    @property
    def carrier(self) -> DeskCarrier:
        """The carrier of the campaign's engine."""
        return self.carriers[-1]

    @property
    def dialer(self) -> CampaignDialer:
        """The running engine of the campaign."""
        dialer = self.service.dialer_for(self.campaign.id)
        assert dialer is not None
        return dialer

    def question(self, name: str) -> Question:
        """A question of the script by name."""
        return next(q for q in self.script.questions if q.name == name)

    def transfer(self, transfer_type: str) -> Transfer:
        """The script's warm or cold transfer."""
        return next(t for t in self.script.transfers if t.transfer_type == transfer_type)

    async def run(self, seconds: float) -> None:
        """Let virtual time pass."""
        await self.clock.run(until=self.clock.now() + timedelta(seconds=seconds))

    async def login(self, email: str | None = None) -> dict[str, str]:
        """Log the caller in; the CSRF header every change must carry."""
        response = await self.client.post(
            "/api/v1/caller/login",
            json={"email": email or self.caller.email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return {"X-CSRF-Token": response.json()["csrf_token"]}

    async def join(self, csrf: dict[str, str]) -> uuid.UUID:
        """Join the campaign; the new session's id."""
        response = await self.client.post(
            "/api/v1/caller/sessions", json={"campaign_id": str(self.campaign.id)}, headers=csrf
        )
        assert response.status_code == 201, response.text
        await self.run(0)
        return uuid.UUID(response.json()["id"])

    async def connect(self, session_id: uuid.UUID) -> str:
        """Let the dialer dial, and the first dial's contact answer; the carrier call id."""
        await self.run(1)
        carrier_call_id = self.carrier.carrier_call_ids[-1]
        await self.carrier.send(carrier_call_id, "ringing")
        await self.carrier.send(carrier_call_id, "answered", answered_by="human")
        await self.run(0)
        assert self.dialer.agents[session_id].state == "connected"
        return carrier_call_id

    async def results(self) -> list[Result]:
        """Every stored result of the campaign."""
        async with self.sessionmaker() as session:
            rows = await session.scalars(
                select(Result).where(Result.campaign_id == self.campaign.id)
            )
            return list(rows)

    async def call(self, call_id: uuid.UUID) -> Call:
        """A call as stored now."""
        async with self.sessionmaker() as session:
            return await session.get_one(Call, call_id, populate_existing=True)


async def build_campaign(
    session: AsyncSession, organization_id: uuid.UUID, calls: int, mode: str = "power"
) -> tuple[Campaign, Script]:
    """A started campaign dialing in `mode`, with a script and `calls` contacts due now."""
    script = Script(
        organization_id=organization_id,
        name="Survey",
        selected_fields=["given_name", "family_name", "phone_number", "custom_fields.ward"],
        questions=[
            Question(
                name="support",
                question_type="SingleChoice",
                required=True,
                position=0,
                responses=[
                    QuestionResponse(key="yes", name="Yes", position=0),
                    QuestionResponse(key="no", name="No", position=1),
                ],
            ),
            Question(
                name="issues",
                question_type="MultiChoice",
                position=1,
                responses=[
                    QuestionResponse(key="housing", name="Housing", position=0),
                    QuestionResponse(key="transit", name="Transit", position=1),
                    QuestionResponse(key="schools", name="Schools", position=2),
                ],
            ),
            Question(name="comment", question_type="Paragraph", position=2),
        ],
        note_fields=[NoteField(name="follow_up", position=0)],
        transfers=[
            Transfer(label="Field office", phone_number="+14155550100", transfer_type="warm"),
            Transfer(
                label="Hotline", phone_number="+14155550101", transfer_type="cold", position=1
            ),
        ],
    )
    session.add(script)
    await session.flush()
    campaign = Campaign(
        organization_id=organization_id,
        name="Doors",
        status="started",
        dialing_mode=mode,
        script_id=script.id,
        voicemail_audio_url="https://example.org/voicemail.mp3",
        time_zone="America/New_York",
    )
    session.add(campaign)
    await session.flush()
    for n in range(calls):
        person = Person(
            organization_id=organization_id,
            given_name=f"Pat{n}",
            family_name="Lee",
            custom_fields={"ward": str(n % 3)},
        )
        session.add(person)
        await session.flush()
        number = f"+1415555{2000 + n:04d}"
        session.add(
            Call(
                organization_id=organization_id,
                campaign_id=campaign.id,
                person_id=person.id,
                numbers=[number],
                next_number=number,
                time_zone="America/New_York",
                next_call_at=START - timedelta(hours=1, seconds=-n),
            )
        )
    await session.flush()
    return campaign, script


DeskMaker = Callable[..., Awaitable[Desk]]
# These callers act through the API alone, on virtual time, with no page to show they are there:
# presence is not followed unless a test asks for it.
NO_PRESENCE = FloorRules(presence_timeout_seconds=math.inf, absent_end_seconds=math.inf)


@pytest.fixture
def make_desk(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> DeskMaker:
    """A started campaign in `mode` with a running dialer and a caller who may call it."""

    async def make(mode: str, floor: FloorRules = NO_PRESENCE) -> Desk:
        campaign, script = await build_campaign(session, tenant.organization_id, 5, mode)
        caller = Caller(
            organization_id=tenant.organization_id,
            name="Robin Caller",
            email="robin@example.org",
            password_hash=hash_password(PASSWORD),
            pin_hash=hash_password(PIN),
        )
        session.add(caller)
        await session.commit()
        clock = VirtualClock(START)
        carriers: list[DeskCarrier] = []

        def make_carrier(_clock: object) -> DeskCarrier:
            carriers.append(DeskCarrier(clock))
            return carriers[-1]

        sessionmaker = app.state.sessionmaker
        service = DialerService(
            sessionmaker,
            clock=clock,
            notifier=BusNotifier(app.state.bus, sessionmaker),
            carrier_factory=make_carrier,
            floor=floor,
        )
        app.state.dialer = service
        clock.call_later(0, service._discover)
        await clock.run(until=START + timedelta(seconds=1))
        assert service.dialer_for(campaign.id) is not None
        return Desk(
            client, sessionmaker, clock, carriers, service, campaign, caller, script, tenant,
            bus=app.state.bus,
        )  # fmt: skip

    return make


@pytest.fixture
async def desk(make_desk: DeskMaker) -> Desk:
    """A started power campaign with a running dialer and a caller who may call it."""
    return await make_desk("power")
