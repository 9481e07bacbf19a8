"""The numbers feeder: asks each hosted dialing's `phone_numbers_url` for more when it runs low.

It runs beside the dialer, on the dialer's clock: a page is fetched (GET with `page` and
`limit`) when fewer than half a page of never-dialed calls is left, and the numbers of that
page are queued in the same transaction that moves `next_page` on, so a page is queued once.
An empty page means the customer has no more; a dialing with no more numbers and no open
calls is stopped, which its call-state URL hears as `campaign.status_changed`.
"""

import logging
import uuid
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.campaigns.models import Campaign
from phonebank.campaigns.service import set_status
from phonebank.dialer.clock import Clock
from phonebank.hosted.models import HostedDialing
from phonebank.hosted.numbers import people_for_numbers
from phonebank.hosted.service import open_calls, queue_people, waiting_calls
from phonebank.kit.outbound import outbound_client
from phonebank.organizations.models import Organization

logger = logging.getLogger("phonebank.hosted")
FEED_SECONDS = 5.0


def numbers_in_page(body: Any) -> list[str]:
    """The numbers of a page: a JSON list, or an object with `phone_numbers` (or `numbers`)."""
    if isinstance(body, dict):
        body = body.get("phone_numbers", body.get("numbers"))
    if not isinstance(body, list):
        raise ValueError('expected a JSON list of numbers or {"phone_numbers": [...]}')
    numbers: list[str] = []
    for item in body:
        if isinstance(item, dict):
            item = item.get("phone_number", item.get("number"))
        if isinstance(item, str | int) and not isinstance(item, bool):
            numbers.append(str(item))
    return numbers


class NumbersFeeder:
    """Keeps every started hosted dialing with a numbers URL supplied with calls."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        client: httpx.AsyncClient | None = None,
        interval_seconds: float = FEED_SECONDS,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.client = client or outbound_client(timeout_seconds=timeout_seconds)
        self._owns_client = client is None
        self.interval_seconds = interval_seconds
        self.running = False

    def start(self) -> None:
        """Begin feeding on the clock."""
        self.running = True
        self.clock.call_later(0, self._tick)

    async def stop(self) -> None:
        """Stop feeding."""
        self.running = False
        if self._owns_client:
            await self.client.aclose()

    async def _tick(self) -> None:
        if not self.running:
            return
        try:
            await self.feed()
        except Exception:
            logger.exception("feeding hosted dialings failed; retrying")
        self.clock.call_later(self.interval_seconds, self._tick)

    async def feed(self) -> int:
        """Fetch a page for every hosted dialing running low; how many pages were fetched."""
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(HostedDialing.id, HostedDialing.campaign_id, HostedDialing.page_size)
                    .join(Campaign, Campaign.id == HostedDialing.campaign_id)
                    .where(Campaign.status == "started")
                )
            ).all()
        fetched = 0
        for hosted_id, campaign_id, page_size in rows:
            async with self.sessionmaker() as session, session.begin():
                hosted = await session.get_one(HostedDialing, hosted_id)
                wants_more = hosted.phone_numbers_url is not None and not hosted.exhausted
                if not wants_more:
                    await self._finish_if_done(session, hosted)
                    continue
                if await waiting_calls(session, campaign_id=campaign_id) >= max(1, page_size // 2):
                    continue
            fetched += await self.fetch_page(hosted_id)
        return fetched

    async def _finish_if_done(self, session: AsyncSession, hosted: HostedDialing) -> None:
        if await open_calls(session, campaign_id=hosted.campaign_id) == 0:
            campaign = await session.get_one(Campaign, hosted.campaign_id)
            await set_status(session, campaign=campaign, status="stopped")
            logger.info("hosted dialing %s has dialed every number", hosted.id)

    async def fetch_page(self, hosted_id: uuid.UUID) -> int:
        """GET the next page of numbers and queue them; 1 if a page was taken, else 0."""
        async with self.sessionmaker() as session:
            hosted = await session.get_one(HostedDialing, hosted_id)
            url, page, limit = hosted.phone_numbers_url, hosted.next_page, hosted.page_size
        assert url is not None
        target = httpx.URL(url).copy_set_param("page", page).copy_set_param("limit", limit)
        try:
            response = await self.client.get(target, headers={"Accept": "application/json"})
            response.raise_for_status()
            numbers = numbers_in_page(response.json())
        except (httpx.HTTPError, ValueError) as error:
            await self._note_error(hosted_id, f"page {page}: {type(error).__name__}: {error}")
            return 0
        async with self.sessionmaker() as session, session.begin():
            # Only the holder of `next_page` queues the page: a page is never taken twice.
            moved = await session.execute(
                update(HostedDialing)
                .where(HostedDialing.id == hosted_id, HostedDialing.next_page == page)
                .values(
                    next_page=page + 1,
                    pages_fetched=HostedDialing.pages_fetched + 1,
                    exhausted=not numbers,
                    last_fetch_error=None,
                )
                .returning(HostedDialing.campaign_id, HostedDialing.organization_id)
            )
            claimed = moved.first()
            if claimed is None:
                return 0
            campaign = await session.get_one(Campaign, claimed.campaign_id)
            organization = await session.get_one(Organization, claimed.organization_id)
            taken = await people_for_numbers(session, organization=organization, numbers=numbers)
            await queue_people(session, campaign=campaign, person_ids=taken.person_ids)
            if taken.rejected:
                logger.info("hosted dialing %s: %d numbers refused", hosted_id, len(taken.rejected))
        return 1

    async def _note_error(self, hosted_id: uuid.UUID, error: str) -> None:
        logger.warning("hosted dialing %s: %s", hosted_id, error)
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(HostedDialing)
                .where(HostedDialing.id == hosted_id)
                .values(last_fetch_error=error[:1000])
            )
