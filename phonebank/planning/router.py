"""Planning a session: `POST /api/v1/campaigns/{campaign_id}/plan`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.config import get_settings
from phonebank.kit.problems import PROBLEM_JSON
from phonebank.planning import service
from phonebank.planning.runner import Planner
from phonebank.planning.schemas import PlanOut, PlanRequest

router = APIRouter(prefix="/campaigns", tags=["planning"])
Reader = Annotated[Principal, Depends(require(Scope.CAMPAIGNS_READ))]


def planner(request: Request) -> Planner:
    """The process's planner, made on first use with the configured limits."""
    state = request.app.state
    if getattr(state, "planner", None) is None:
        settings = get_settings()
        state.planner = Planner(
            max_concurrent=settings.planning_max_concurrent,
            time_limit_seconds=settings.planning_time_limit_seconds,
        )
    found: Planner = state.planner
    return found


@router.post(
    "/{campaign_id}/plan",
    response_model=PlanOut,
    responses={
        503: {
            "description": "The simulation did not finish in time or failed",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
)
async def plan_session(
    campaign_id: uuid.UUID,
    body: PlanRequest,
    principal: Reader,
    session: DbSession,
    runner: Annotated[Planner, Depends(planner)],
) -> object:
    """Simulate a session of `callers` over `hours` on the campaign's own rates, in preview,
    power and predictive: expected contacts, utilization and abandon rate, hour by hour."""
    job = await service.prepare_plan(
        session,
        organization_id=principal.organization_id,
        campaign_id=campaign_id,
        request=body,
        dial_budget=get_settings().planning_dials_per_mode,
    )
    # The request's reads (and its key's last use) are done: end its unit of work now, so no
    # connection or write lock is held for the seconds the simulation takes.
    await session.commit()
    return await service.run_plan(job, planner=runner)
