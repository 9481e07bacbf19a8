"""A plan plays the campaign's rates through the simulator in the three modes."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.planning.runner import Planner
from phonebank.planning.schemas import PlanOut, PlanRequest
from phonebank.planning.service import prepare_plan, run_plan
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant
from tests.planning.conftest import TALK_SECONDS, add_recorded_campaign

# Generous: a loaded machine stops the simulated span early, which the plan then reports.
PLANNER = Planner(max_concurrent=2, time_limit_seconds=30.0)


async def _plan(
    session: AsyncSession, tenant: Tenant, campaign_id: uuid.UUID, request: PlanRequest
) -> dict[str, Any]:
    job = await prepare_plan(
        session,
        organization_id=tenant.organization_id,
        campaign_id=campaign_id,
        request=request,
        dial_budget=300,
    )
    return await run_plan(job, planner=PLANNER)


async def test_a_plan_forecasts_every_mode_on_the_campaigns_rates(
    session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await add_recorded_campaign(session, tenant)
    plan = PlanOut.model_validate(
        await _plan(session, tenant, campaign_id, PlanRequest(callers=4, hours=0.5))
    )
    assert plan.observed.source == "observed" and plan.observed.talk_seconds == TALK_SECONDS
    assert plan.abandon_target == 3.0
    for mode in (plan.modes.preview, plan.modes.power, plan.modes.predictive):
        assert mode.dials > 0 and mode.contacts >= 0
        assert 0 <= mode.utilization <= 1
    assert plan.modes.predictive.abandon_rate <= plan.abandon_target / 100
    assert plan.modes.predictive.within_abandon_target
    # Preview waits on each caller's reading; predictive dials ahead of them.
    assert plan.modes.predictive.dials >= plan.modes.preview.dials
    assert plan.hourly.hour == [0]
    assert len(plan.hourly.predictive.contacts) == 1
    assert 0 < plan.simulated_hours <= 0.5 and 1 <= plan.simulated_callers <= 4
    assert plan.note


async def test_a_new_campaigns_plan_says_it_used_the_defaults(
    session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await add_campaign(session, tenant, abandon_rate_target=2.0)
    plan = PlanOut.model_validate(
        await _plan(session, tenant, campaign_id, PlanRequest(callers=2, hours=0.25))
    )
    assert plan.observed.source == "defaults" and plan.observed.attempts == 0
    assert plan.abandon_target == 2.0
    assert plan.modes.predictive.abandon_rate <= 0.02
