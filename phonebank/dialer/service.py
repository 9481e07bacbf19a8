"""The dialer inside `phonebank serve`: one engine per started campaign, on the real clock."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.callers.models import CallerSession
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import Carrier
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from phonebank.dialer.clock import Clock, RealClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.live import CallerNotifier

logger = logging.getLogger("phonebank.dialer")
# How often the service looks for campaigns that were started.
DISCOVERY_SECONDS = 1.0


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
    ) -> None:
        self.sessionmaker = sessionmaker
        self.notifier = notifier
        self.carrier_factory = carrier_factory
        self.clock = clock or RealClock()
        self.carrier_name = carrier_name
        self.carrier_options = carrier_options
        self.dialers: dict[uuid.UUID, CampaignDialer] = {}
        self._task: asyncio.Task[None] | None = None

    async def _discover(self) -> None:
        try:
            async with self.sessionmaker() as session:
                started = set(
                    await session.scalars(select(Campaign.id).where(Campaign.status == "started"))
                )
            for campaign_id in started - set(self.dialers):
                dialer = CampaignDialer(
                    sessionmaker=self.sessionmaker,
                    clock=self.clock,
                    # A carrier per engine: each sees only its own calls' events.
                    carrier=self._make_carrier(),
                    campaign_id=campaign_id,
                    notifier=self.notifier,
                )
                await dialer.start()
                self.dialers[campaign_id] = dialer
                await self._rejoin(dialer)
                logger.info("dialing campaign %s", campaign_id)
            for campaign_id, dialer in list(self.dialers.items()):
                if not dialer.running:
                    del self.dialers[campaign_id]
                    await dialer.carrier.close()
        except Exception:
            logger.exception("dialer discovery failed; retrying")
        self.clock.call_later(DISCOVERY_SECONDS, self._discover)

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
            if session_id not in dialer.agents:
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
        """Stop every engine, writing down what they hold, and the clock."""
        for dialer in list(self.dialers.values()):
            if dialer.running:
                await dialer.stop()
            await dialer.carrier.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
