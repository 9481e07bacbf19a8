"""`POST /api/v1/campaigns/{id}/plan`: validation, scope, tenancy and the per-process limit."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.planning.runner import Planner
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant, make_tenant

SMALL = {"callers": 2, "hours": 0.25}


def _use_planner(app: Any, max_concurrent: int = 2) -> Planner:
    app.state.planner = Planner(max_concurrent=max_concurrent, time_limit_seconds=30.0)
    planner: Planner = app.state.planner
    return planner


async def test_a_plan_answers_for_the_three_modes(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    _use_planner(app)
    campaign_id = await add_campaign(session, tenant)
    response = await client.post(
        f"/api/v1/campaigns/{campaign_id}/plan", json=SMALL, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    plan = response.json()
    assert set(plan["modes"]) == {"preview", "power", "predictive"}
    assert plan["observed"]["source"] == "defaults"
    assert set(plan["hourly"]) == {"hour", "simulated", "preview", "power", "predictive"}
    assert plan["callers"] == 2 and plan["hours"] == 0.25


async def test_callers_and_hours_are_bounded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await add_campaign(session, tenant)
    url = f"/api/v1/campaigns/{campaign_id}/plan"
    for body, field in (
        ({"callers": 0, "hours": 1}, "callers"),
        ({"callers": 501, "hours": 1}, "callers"),
        ({"callers": 10, "hours": 0.1}, "hours"),
        ({"callers": 10, "hours": 12.5}, "hours"),
        ({"hours": 1}, "callers"),
        ({"callers": 10, "hours": 1, "mode": "x"}, "mode"),
    ):
        response = await client.post(url, json=body, headers=tenant.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(field in error["field"] for error in response.json()["errors"]), body


async def test_reading_campaigns_is_the_scope_needed(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await add_campaign(session, tenant)
    url = f"/api/v1/campaigns/{campaign_id}/plan"
    writer = await make_tenant(session, "no read", [Scope.CAMPAIGNS_WRITE, Scope.PEOPLE_READ])
    response = await client.post(url, json=SMALL, headers=writer.headers)
    assert response.status_code == 403


async def test_another_organizations_campaign_is_not_found(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    _use_planner(app)
    campaign_id = await add_campaign(session, tenant)
    response = await client.post(
        f"/api/v1/campaigns/{campaign_id}/plan", json=SMALL, headers=other_tenant.headers
    )
    assert response.status_code == 404


async def test_a_busy_process_refuses_more_plans(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    planner = _use_planner(app, max_concurrent=1)
    campaign_id = await add_campaign(session, tenant)
    url = f"/api/v1/campaigns/{campaign_id}/plan"
    with planner.slot("another organization"):  # another plan is being simulated
        response = await client.post(url, json=SMALL, headers=tenant.headers)
        assert response.status_code == 429
        assert response.headers["retry-after"]
        assert response.headers["content-type"].startswith("application/problem+json")
    assert planner.running == 0


async def test_an_organization_plans_one_session_at_a_time(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    planner = _use_planner(app, max_concurrent=2)
    campaign_id = await add_campaign(session, tenant)
    url = f"/api/v1/campaigns/{campaign_id}/plan"
    with planner.slot(tenant.organization_id):  # its previous plan still runs
        response = await client.post(url, json=SMALL, headers=tenant.headers)
        assert response.status_code == 429
        assert "this organization" in response.json()["detail"]
    assert planner.running == 0
