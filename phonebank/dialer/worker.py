"""The dialer side of a process: engines, the numbers feeder, and commands from API processes.

`DialerRuntime` runs inside `phonebank serve` (the default, one process) and is all that
`phonebank worker` runs (`run_worker`): a process that dials and serves no HTTP. With
`PHONEBANK_REDIS_URL` set, API processes reach its engines through Redis (`remote.py`).
"""

import asyncio
import contextlib
import logging
import signal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.calling.live import BusNotifier
from phonebank.config import Settings
from phonebank.db import create_engine, create_sessionmaker
from phonebank.dialer.presence import FloorRules
from phonebank.dialer.remote import CommandServer
from phonebank.dialer.service import DialerService
from phonebank.events.bus import EventBus, InMemoryBus
from phonebank.events.redis_bus import RedisBus
from phonebank.hosted.feeder import NumbersFeeder
from phonebank.webhooks.delivery import WebhookWorker

logger = logging.getLogger("phonebank.dialer")


class DialerRuntime:
    """The dialer service with what runs beside it, started and stopped together."""

    def __init__(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus
    ) -> None:
        self.service = DialerService(
            sessionmaker,
            carrier_name=settings.carrier,
            carrier_options=settings.carrier_options(),
            notifier=BusNotifier(bus, sessionmaker),
            floor=FloorRules(
                presence_timeout_seconds=settings.caller_presence_timeout_seconds,
                absent_end_seconds=settings.caller_absent_end_seconds,
                wrap_up_max_seconds=settings.wrap_up_max_seconds,
            ),
        )
        # Hosted dialings fetch their numbers beside the engines, on the same clock.
        self.feeder = NumbersFeeder(sessionmaker, self.service.clock)
        self.commands = (
            CommandServer(settings.redis_url, self.service) if settings.redis_url else None
        )

    async def start(self) -> None:
        """Start dialing, feeding, and answering other processes' commands."""
        await self.service.start()
        self.feeder.start()
        if self.commands is not None:
            await self.commands.start()

    async def stop(self) -> None:
        """Stop answering, then stop the engines (writing what they hold, releasing leases)."""
        if self.commands is not None:
            await self.commands.stop()
        await self.feeder.stop()
        await self.service.stop()


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run a dialer worker until SIGTERM or SIGINT (or `stop`), then stop cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = create_engine(settings.database_url, echo=settings.sql_echo)
    sessionmaker = create_sessionmaker(engine)
    bus: EventBus = RedisBus(settings.redis_url) if settings.redis_url else InMemoryBus()
    runtime = DialerRuntime(settings, sessionmaker, bus)
    webhooks = WebhookWorker(sessionmaker) if settings.run_webhooks else None
    await runtime.start()
    if webhooks is not None:
        await webhooks.start()
    logger.info("dialer worker %s started", runtime.service.owner)
    try:
        await stop.wait()
    finally:
        logger.info("dialer worker %s stopping", runtime.service.owner)
        await runtime.stop()
        if webhooks is not None:
            await webhooks.stop()
        if isinstance(bus, RedisBus):
            await bus.close()
        with contextlib.suppress(Exception):
            await engine.dispose()
