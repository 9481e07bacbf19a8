"""Planning a session: the campaign's observed rates played through the simulator in each mode."""

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.campaigns.service import get_campaign
from phonebank.dialer.simulation import MODES
from phonebank.planning.forecast import (
    Sizing,
    describe,
    forecast_mode,
    hourly_series,
    scenario_for,
    size_plan,
)
from phonebank.planning.observed import ObservedRates, observe_rates
from phonebank.planning.runner import Planner
from phonebank.planning.schemas import PlanRequest


def observed_out(rates: ObservedRates) -> dict[str, Any]:
    """The observed rates as the plan reports them."""
    figures = asdict(rates)
    return {
        "source": rates.source,
        "attempts": rates.attempts,
        "human_share": rates.human,
        "machine_share": rates.machine,
        "busy_share": rates.busy,
        "no_answer_share": rates.no_answer,
        "failed_share": rates.failed,
        **{name: figures[name] for name in ("ring_seconds", "talk_seconds", "wrap_seconds")},
        "talks": rates.talks,
        "wrap_ups": rates.wrap_ups,
        "observed_figures": rates.observed_figures,
        "default_figures": rates.default_figures,
    }


@dataclass(frozen=True)
class PlanJob:
    """What a plan simulates, read from the record: everything the simulation needs."""

    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    request: PlanRequest
    rates: ObservedRates
    sizing: Sizing
    abandon_target: float
    ring_timeout_seconds: int
    pacers: dict[str, str | None]


async def prepare_plan(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_id: uuid.UUID,
    request: PlanRequest,
    dial_budget: int,
) -> PlanJob:
    """Read the campaign and its observed rates, and size the simulation to `dial_budget`."""
    campaign = await get_campaign(session, organization_id=organization_id, campaign_id=campaign_id)
    rates = await observe_rates(session, campaign_id=campaign.id)
    return PlanJob(
        organization_id=organization_id,
        campaign_id=campaign.id,
        request=request,
        rates=rates,
        sizing=size_plan(request.callers, request.hours, rates, dial_budget),
        abandon_target=float(campaign.abandon_rate_target),
        ring_timeout_seconds=campaign.ring_timeout_seconds,
        # A campaign's own pacer applies to its own mode; the others use their defaults.
        pacers={mode: campaign.pacer if mode == campaign.dialing_mode else None for mode in MODES},
    )


async def run_plan(job: PlanJob, *, planner: Planner) -> dict[str, Any]:
    """Expected contacts, utilization and abandons of preview, power and predictive dialing
    for the job's callers and hours; a 429 when the process runs as many plans as it may, or
    one of the same organization."""
    with planner.slot(job.organization_id):
        results = await planner.play(
            scenario_for(job.rates, job.sizing, job.ring_timeout_seconds),
            modes=MODES,
            abandon_target=job.abandon_target,
            pacers=job.pacers,
        )
    request, sizing = job.request, job.sizing
    played = min(result["hours"] for result in results.values())
    target = job.abandon_target
    return {
        "campaign_id": job.campaign_id,
        "callers": request.callers,
        "hours": request.hours,
        "abandon_target": target,
        "observed": observed_out(job.rates),
        "simulated_callers": sizing.simulated_callers,
        "simulated_hours": played,
        "scaled": sizing.scaled or played < request.hours - 1e-9,
        "scale": (request.callers / sizing.simulated_callers) * (request.hours / played),
        "note": describe(sizing, played),
        "modes": {mode: forecast_mode(results[mode], sizing, target) for mode in MODES},
        "hourly": hourly_series(results, sizing),
    }
