"""Blocked numbers API."""

import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.campaigns.models import Campaign
from tests.conftest import Tenant, make_tenant

BASE = "/api/v1/blocked_numbers"


async def make_campaign(session: AsyncSession, tenant: Tenant, name: str = "GOTV") -> str:
    """A campaign row of the tenant's organization; its id as a string."""
    campaign = Campaign(organization_id=tenant.organization_id, name=name)
    session.add(campaign)
    await session.flush()
    return str(campaign.id)


async def _block(client: httpx.AsyncClient, tenant: Tenant, **fields: object) -> dict:
    response = await client.post(BASE, json=fields, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_add_normalizes_and_refuses_duplicates_per_scope(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign_id = await make_campaign(session, tenant)
    entry = await _block(client, tenant, number="(415) 555-2671", reason="asked")
    assert entry["number"] == "+14155552671" and entry["reason"] == "asked"
    assert entry["campaign_id"] is None and entry["scope"] == "organization"
    assert entry["uri"] == f"http://testserver{BASE}/{entry['id']}"

    again = await client.post(BASE, json={"number": "+1 415-555-2671"}, headers=tenant.headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["field"] == "number"

    # The same number may also be blocked in one campaign: a different scope.
    scoped = await _block(client, tenant, number="4155552671", campaign_id=campaign_id)
    assert scoped["campaign_id"] == campaign_id and scoped["scope"] == "campaign"
    twice = await client.post(
        BASE, json={"number": "14155552671", "campaign_id": campaign_id}, headers=tenant.headers
    )
    assert twice.status_code == 409 and twice.json()["field"] == "number"

    fetched = await client.get(entry["uri"], headers=tenant.headers)
    assert fetched.status_code == 200 and fetched.json()["number"] == "+14155552671"


async def test_add_validation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    bad = await client.post(BASE, json={"number": "+1 555"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "number"
    theirs = await make_campaign(session, other_tenant)
    for campaign_id in (theirs, str(uuid.uuid4())):
        response = await client.post(
            BASE, json={"number": "4155552671", "campaign_id": campaign_id}, headers=tenant.headers
        )
        assert response.status_code == 400 and response.json()["field"] == "campaign_id"
    unknown = await client.post(
        BASE, json={"number": "4155552671", "until": "never"}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    assert [error["field"] for error in unknown.json()["errors"]] == ["until"]
    missing = await client.post(BASE, json={}, headers=tenant.headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "number"
    assert (await client.get(BASE, headers=tenant.headers)).json()["total"] == 0


async def test_bulk_add(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    await _block(client, tenant, number="2125550100")
    body = {
        "numbers": [
            "4155552671",
            "not a number",
            "+1 (212) 555-0100",
            "415.555.2671",
            "",
            "+442071838750",
        ],
        "reason": "opt-out list",
    }
    response = await client.post(f"{BASE}/bulk", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result = response.json()
    # One already blocked, one repeated within the request.
    assert result["added"] == 2 and result["already_present"] == 2 and result["invalid"] == 2
    assert [(error["index"], error["number"]) for error in result["errors"]] == [
        (1, "not a number"),
        (4, ""),
    ]
    assert all(error["reason"] for error in result["errors"])

    rows = (
        await session.scalars(
            select(BlockedNumber)
            .where(BlockedNumber.organization_id == tenant.organization_id)
            .order_by(BlockedNumber.number)
        )
    ).all()
    assert [(row.number, row.reason, row.campaign_id) for row in rows] == [
        ("+12125550100", None, None),
        ("+14155552671", "opt-out list", None),
        ("+442071838750", "opt-out list", None),
    ]
    assert all(row.id and row.created_at for row in rows)

    repeat = await client.post(f"{BASE}/bulk", json=body, headers=tenant.headers)
    assert repeat.json()["added"] == 0 and repeat.json()["already_present"] == 4


async def test_bulk_add_in_a_campaign(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    campaign_id = await make_campaign(session, tenant)
    await _block(client, tenant, number="4155552671")  # organization-wide: another scope
    body = {"numbers": ["4155552671", "2025550173"], "campaign_id": campaign_id}
    result = (await client.post(f"{BASE}/bulk", json=body, headers=tenant.headers)).json()
    assert result == {"added": 2, "already_present": 0, "invalid": 0, "errors": []}
    count = await session.scalar(
        select(func.count()).where(BlockedNumber.campaign_id == uuid.UUID(campaign_id))
    )
    assert count == 2

    theirs = await make_campaign(session, other_tenant)
    foreign = await client.post(
        f"{BASE}/bulk",
        json={"numbers": ["4155552671"], "campaign_id": theirs},
        headers=tenant.headers,
    )
    assert foreign.status_code == 400 and foreign.json()["field"] == "campaign_id"
    empty = await client.post(f"{BASE}/bulk", json={"numbers": []}, headers=tenant.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "numbers"
    typed = await client.post(f"{BASE}/bulk", json={"numbers": [None]}, headers=tenant.headers)
    assert typed.status_code == 422 and typed.json()["errors"][0]["field"] == "numbers[0]"


async def test_list_filters(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    first = await make_campaign(session, tenant, "First")
    second = await make_campaign(session, tenant, "Second")
    await _block(client, tenant, number="4155552671")
    await _block(client, tenant, number="2025550173", campaign_id=first)
    await _block(client, tenant, number="4155552671", campaign_id=second)

    async def numbers(query: str) -> list[tuple[str, str]]:
        response = await client.get(f"{BASE}{query}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        return sorted((item["number"], item["campaign_id"] or "") for item in items)

    assert len(await numbers("")) == 3
    assert await numbers("?scope=organization") == [("+14155552671", "")]
    assert await numbers("?scope=campaign") == [("+12025550173", first), ("+14155552671", second)]
    assert await numbers(f"?campaign_id={first}") == [("+12025550173", first)]
    assert await numbers("?number=(415)%20555-2671") == [
        ("+14155552671", ""),
        ("+14155552671", second),
    ]
    page = (await client.get(f"{BASE}?per_page=2", headers=tenant.headers)).json()
    assert page["total"] == 3 and page["total_pages"] == 2 and len(page["items"]) == 2
    bad_scope = await client.get(f"{BASE}?scope=everywhere", headers=tenant.headers)
    assert bad_scope.status_code == 422 and bad_scope.json()["errors"][0]["field"] == "scope"
    bad_number = await client.get(f"{BASE}?number=123", headers=tenant.headers)
    assert bad_number.status_code == 400 and bad_number.json()["field"] == "number"


async def test_check(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    first = await make_campaign(session, tenant, "First")
    second = await make_campaign(session, tenant, "Second")
    everywhere = await _block(client, tenant, number="4155552671")
    only_first = await _block(client, tenant, number="2025550173", campaign_id=first)

    async def check(number: str, campaign_id: str | None) -> dict:
        params = {"number": number} | ({"campaign_id": campaign_id} if campaign_id else {})
        response = await client.get(f"{BASE}/check", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    for campaign_id in (first, second, None):
        result = await check("(415) 555-2671", campaign_id)
        assert result["number"] == "+14155552671" and result["blocked"] is True
        assert [entry["id"] for entry in result["entries"]] == [everywhere["id"]]

    in_first = await check("202-555-0173", first)
    assert in_first["blocked"] is True
    assert [entry["id"] for entry in in_first["entries"]] == [only_first["id"]]
    assert in_first["entries"][0]["scope"] == "campaign"
    assert await check("202-555-0173", second) == {
        "number": "+12025550173",
        "blocked": False,
        "entries": [],
    }
    assert (await check("202-555-0173", None))["blocked"] is False

    both = await _block(client, tenant, number="2025550173")
    ids = {entry["id"] for entry in (await check("2025550173", first))["entries"]}
    assert ids == {only_first["id"], both["id"]}

    bad = await client.get(f"{BASE}/check?number=12", headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "number"
    missing = await client.get(f"{BASE}/check", headers=tenant.headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "number"
    unknown = await client.get(
        f"{BASE}/check",
        params={"number": "4155552671", "campaign_id": str(uuid.uuid4())},
        headers=tenant.headers,
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "campaign_id"


async def test_delete_unblocks(client: httpx.AsyncClient, tenant: Tenant) -> None:
    entry = await _block(client, tenant, number="4155552671")
    assert (await client.delete(entry["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(entry["uri"], headers=tenant.headers)).status_code == 404
    assert (await client.delete(entry["uri"], headers=tenant.headers)).status_code == 404
    check = await client.get(f"{BASE}/check?number=4155552671", headers=tenant.headers)
    assert check.json()["blocked"] is False
    # Once removed, it can be added again.
    await _block(client, tenant, number="4155552671")


async def test_other_organization_is_kept_out(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    campaign_id = await make_campaign(session, tenant)
    entry = await _block(client, tenant, number="4155552671", campaign_id=campaign_id)
    for method in ("GET", "DELETE"):
        response = await client.request(method, entry["uri"], headers=other_tenant.headers)
        assert response.status_code == 404, method
    assert (await client.get(BASE, headers=other_tenant.headers)).json()["total"] == 0
    # Our block does not reach their campaigns, and they cannot use our campaign.
    check = await client.get(f"{BASE}/check?number=4155552671", headers=other_tenant.headers)
    assert check.json() == {"number": "+14155552671", "blocked": False, "entries": []}
    for path, body in (
        (BASE, {"number": "2025550173", "campaign_id": campaign_id}),
        (f"{BASE}/bulk", {"numbers": ["2025550173"], "campaign_id": campaign_id}),
    ):
        response = await client.post(path, json=body, headers=other_tenant.headers)
        assert response.status_code == 400 and response.json()["field"] == "campaign_id"
    peek = await client.get(
        f"{BASE}/check",
        params={"number": "4155552671", "campaign_id": campaign_id},
        headers=other_tenant.headers,
    )
    assert peek.status_code == 400 and peek.json()["field"] == "campaign_id"
    assert (await client.get(entry["uri"], headers=tenant.headers)).status_code == 200


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    entry = await _block(client, tenant, number="4155552671")
    reader = await make_tenant(session, "Readers", [Scope.CAMPAIGNS_READ])
    outsider = await make_tenant(session, "Outsiders", [Scope.CALLERS_WRITE, Scope.PEOPLE_WRITE])
    for path in (BASE, f"{BASE}/check?number=4155552671"):
        assert (await client.get(path, headers=reader.headers)).status_code == 200, path
        assert (await client.get(path, headers=outsider.headers)).status_code == 403, path
    writes = [
        ("POST", BASE, {"number": "2025550173"}),
        ("POST", f"{BASE}/bulk", {"numbers": ["2025550173"]}),
        ("DELETE", entry["uri"], None),
    ]
    for method, path, body in writes:
        response = await client.request(method, path, json=body, headers=reader.headers)
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(entry["uri"], headers=tenant.headers)).status_code == 200
