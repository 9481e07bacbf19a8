"""The dialer service: one engine per started campaign whose lease it holds, on the real clock.

It runs inside `phonebank serve` (one process, the default) and in `phonebank worker` processes;
any number of them may run against one database: leases (`leases.py`) keep each campaign with
one of them, and a dead one's campaigns are taken over once its leases expire.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.callers.models import CallerSession
from phonebank.campaigns.models import Campaign
from phonebank.dialer import leases
from phonebank.dialer.carriers.base import Carrier
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from phonebank.dialer.clock import Clock, RealClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.leases import Lease
from phonebank.dialer.live import CallerNotifier
from phonebank.dialer.models import DialerLease
from phonebank.dialer.presence import FloorRules

logger = logging.getLogger("phonebank.dialer")
# How often the service looks for campaigns that were started.
DISCOVERY_SECONDS = 1.0
# Every this many discoveries, engines take open sessions they were not told of (a join sent
# from another process while the campaign changed hands).
REJOIN_EVERY = 5


def make_carrier(name: str, clock: Clock, options: dict[str, Any] | None = None) -> Carrier:
    """The carrier named in the settings, with its options."""
    if name == "simulated":
        return SimulatedCarrier(clock, SimulatedCarrierConfig.from_options(options or {}))
    if name == "twilio":
        return TwilioCarrier(clock, TwilioConfig.from_options(options or {}))
    raise ValueError(f"unknown carrier {name!r}")


class DialerService:
    """Starts an engine for every started campaign and lets engines of stopped ones go."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        carrier_name: str = "simulated",
        carrier_options: dict[str, Any] | None = None,
        clock: Clock | None = None,
        notifier: CallerNotifier | None = None,
        carrier_factory: Callable[[Clock], Carrier] | None = None,
        floor: FloorRules | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.floor = floor
        self.notifier = notifier
        self.carrier_factory = carrier_factory
        self.clock = clock or RealClock()
        self.carrier_name = carrier_name
        self.carrier_options = carrier_options
        self.dialers: dict[uuid.UUID, CampaignDialer] = {}
        # This process's name on the leases it holds.
        self.owner = leases.new_owner()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._renewing = False
        self._discoveries = 0

    async def _startable(self) -> set[uuid.UUID]:
        now = self.clock.now()
        async with self.sessionmaker() as session:
            return set(
                await session.scalars(
                    select(Campaign.id)
                    .outerjoin(DialerLease, DialerLease.campaign_id == Campaign.id)
                    .where(
                        Campaign.status == "started",
                        or_(
                            DialerLease.campaign_id.is_(None),
                            DialerLease.expires_at < now,
                            DialerLease.owner == self.owner,
                        ),
                    )
                )
            )

    async def _acquire(self, campaign_id: uuid.UUID) -> Lease | None:
        async with self.sessionmaker() as session, session.begin():
            return await leases.acquire(
                session, campaign_id=campaign_id, owner=self.owner, now=self.clock.now()
            )

    async def _release(self, dialer: CampaignDialer) -> None:
        if dialer.lease is None or dialer.abandoned:
            return
        try:
            async with self.sessionmaker() as session, session.begin():
                await leases.release(session, lease=dialer.lease)
        except Exception:  # it expires on its own
            logger.exception("could not release the lease of campaign %s", dialer.campaign.id)

    async def _discover(self) -> None:
        if self._stopping:
            return
        if not self._renewing:  # leases are renewed from the first discovery on
            self._renewing = True
            self.clock.call_later(leases.RENEW_SECONDS, self._renew)
        try:
            for campaign_id in await self._startable() - set(self.dialers):
                lease = await self._acquire(campaign_id)
                if lease is None:
                    continue  # another dialer was quicker
                dialer = CampaignDialer(
                    sessionmaker=self.sessionmaker,
                    clock=self.clock,
                    # A carrier per engine: each sees only its own calls' events.
                    carrier=self._make_carrier(),
                    campaign_id=campaign_id,
                    notifier=self.notifier,
                    lease=lease,
                    floor=self.floor,
                )
                self.dialers[campaign_id] = dialer
                # Settles the dials a previous holder (crashed, or lost its lease) left open.
                await dialer.start()
                await self._rejoin(dialer)
                logger.info("dialing campaign %s (lease %d)", campaign_id, lease.token)
            self._discoveries += 1
            for campaign_id, dialer in list(self.dialers.items()):
                if not dialer.running:
                    del self.dialers[campaign_id]
                    await self._release(dialer)
                    await dialer.carrier.close()
                elif self._discoveries % REJOIN_EVERY == 0:
                    await self._rejoin(dialer)
        except Exception:
            logger.exception("dialer discovery failed; retrying")
        self.clock.call_later(DISCOVERY_SECONDS, self._discover)

    async def _renew(self) -> None:
        if self._stopping:
            return
        now = self.clock.now()
        try:
            async with self.sessionmaker() as session, session.begin():
                held = await leases.renew(session, owner=self.owner, now=now)
        except Exception:
            logger.exception("could not renew the dialer's leases")
            held = None
        for campaign_id, dialer in list(self.dialers.items()):
            lease = dialer.lease
            if lease is None or not dialer.running:
                continue
            if held is not None and held.get(campaign_id) == lease.token:
                lease.expires_at = now + timedelta(seconds=leases.LEASE_SECONDS)
            elif held is not None or lease.expires_at <= self.clock.now():
                # Taken over, or expired unrenewed: another dialer may be driving it now.
                # (Dials stop earlier, when too little of the lease is left.)
                await dialer.abandon()
        self.clock.call_later(leases.RENEW_SECONDS, self._renew)

    def _make_carrier(self) -> Carrier:
        if self.carrier_factory is not None:
            return self.carrier_factory(self.clock)
        return make_carrier(self.carrier_name, self.clock, self.carrier_options)

    async def _rejoin(self, dialer: CampaignDialer) -> None:
        # Callers who joined while the campaign was paused, or before a restart, take calls now.
        async with self.sessionmaker() as session:
            open_sessions = (
                await session.execute(
                    select(CallerSession.id, CallerSession.caller_id).where(
                        CallerSession.campaign_id == dialer.campaign.id,
                        CallerSession.ended_at.is_(None),
                    )
                )
            ).all()
        for session_id, caller_id in open_sessions:
            if dialer.running and session_id not in dialer.agents and session_id not in dialer.left:
                dialer.join(session_id, caller_id)

    def dialer_for(self, campaign_id: uuid.UUID) -> CampaignDialer | None:
        """The running engine of a campaign, if this process drives it."""
        dialer = self.dialers.get(campaign_id)
        return dialer if dialer is not None and dialer.running else None

    async def start(self) -> None:
        """Begin discovering campaigns and running the clock in the background."""
        self.clock.call_later(0, self._discover)
        self._task = asyncio.create_task(self.clock.run(), name="phonebank-dialer")

    async def stop(self) -> None:
        """Stop every engine, writing down what they hold, release their leases, stop the clock."""
        self._stopping = True
        for dialer in list(self.dialers.values()):
            if dialer.running:
                await dialer.stop()
            await self._release(dialer)
            await dialer.carrier.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
