"""A campaign's rates are read from its own attempts and wrap-ups, defaults where it has none."""

import math

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.planning.observed import DEFAULT_RING_SECONDS, DEFAULTS, observe_rates
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant
from tests.planning.conftest import (
    OUTCOMES,
    RING_SECONDS,
    TALK_SECONDS,
    WRAP_SECONDS,
    add_recorded_campaign,
)


async def test_rates_come_from_the_campaigns_attempts(
    session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await add_recorded_campaign(session, tenant)
    rates = await observe_rates(session, campaign_id=campaign_id)
    dials = sum(OUTCOMES.values())
    assert rates.attempts == dials  # never-dialed attempts do not count
    assert math.isclose(rates.human, 10 / dials)  # abandoned calls were answered by a person
    assert math.isclose(rates.machine, 8 / dials)
    assert math.isclose(rates.busy, 4 / dials)
    assert math.isclose(rates.no_answer, 16 / dials)
    assert math.isclose(rates.failed, 2 / dials)
    assert math.isclose(rates.ring_seconds, RING_SECONDS)
    assert math.isclose(rates.talk_seconds, TALK_SECONDS)
    assert math.isclose(rates.wrap_seconds, WRAP_SECONDS)
    assert (rates.talks, rates.wrap_ups) == (8, 6)
    assert rates.source == "observed" and rates.default_figures == []


async def test_a_new_campaign_uses_the_defaults(session: AsyncSession, tenant: Tenant) -> None:
    campaign_id = await add_campaign(session, tenant)
    rates = await observe_rates(session, campaign_id=campaign_id)
    assert rates.source == "defaults" and rates.observed_figures == []
    assert rates.attempts == 0
    assert (rates.human, rates.machine, rates.talk_seconds, rates.wrap_seconds) == (
        DEFAULTS.human, DEFAULTS.machine, DEFAULTS.talk_mean_seconds, DEFAULTS.wrap_mean_seconds
    )  # fmt: skip
    assert rates.ring_seconds == DEFAULT_RING_SECONDS
    assert "human_share" in rates.default_figures and "wrap_seconds" in rates.default_figures
