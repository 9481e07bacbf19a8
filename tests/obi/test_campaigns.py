"""OBI campaigns: the seed's examples in JSON and XML, searches, full update and status."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ApiKey
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.campaigns.models import Campaign
from tests.conftest import Tenant
from tests.obi.conftest import JSON, Obi, basic, xml_of

# The seed's PUT example (its trailing comma removed); queueId is the tenant's queue.
PUT_EXAMPLE = {
    "endDate": "2021-02-20T22:00:00Z",
    "startDate": "2020-12-20T22:00:00Z",
    "dialingMode": "PREDICTIVE",
    "name": "Test Campaign",
    "timeZone": "Europe/Berlin",
}
# Every field of the seed's campaign item that a fresh campaign in a queue shows.
SEED_FIELDS = {
    "id", "name", "dialerId", "dialer", "dialerName", "dialerType", "dialingMode", "status",
    "dialerStatus", "queueId", "queueName", "total", "handled", "notHandled", "callable",
    "maxCalls", "filtered", "registered", "timeZone", "loggedOn", "abandonRate",
    "increasePredictiveRatio",
}  # fmt: skip


async def _put(obi: Obi, body: dict[str, Any]) -> httpx.Response:
    return await obi.send("PUT", f"/campaigns/{obi.campaign_id}", body)


async def _status(obi: Obi, value: str) -> httpx.Response:
    return await obi.client.put(
        f"/obi/campaigns/{obi.campaign_id}/status",
        content=value.encode(),
        headers=obi.headers({"Content-Type": "text/plain"}),
    )


async def test_list_shows_every_field_of_the_seed(obi: Obi, tenant: Tenant) -> None:
    response = await obi.get("/campaigns")
    assert response.status_code == 200
    [campaign] = response.json()
    assert set(campaign) == SEED_FIELDS
    assert campaign["id"] == obi.campaign_id and len(campaign["id"]) == 32
    assert campaign["dialerId"] == campaign["dialer"] == tenant.organization_id.hex.upper()
    assert campaign["dialerType"] == "CampaignDialer"
    assert (campaign["status"], campaign["dialerStatus"]) == ("Passive", "PASSIVE")
    assert (campaign["queueId"], campaign["queueName"]) == (obi.queue_id, "Test Queue")
    assert campaign["registered"].endswith("Z")
    assert (campaign["abandonRate"], campaign["increasePredictiveRatio"]) == (1.0, 0.0)


async def test_put_example_in_json_and_xml_then_get(obi: Obi) -> None:
    response = await _put(obi, {**PUT_EXAMPLE, "queueId": obi.queue_id})
    assert response.status_code == 204 and response.content == b""
    campaign = (await obi.get(f"/campaigns/{obi.campaign_id}")).json()
    assert campaign["dialingMode"] == "PREDICTIVE"
    assert campaign["startDate"] == "2020-12-20T22:00:00.000Z"
    assert campaign["endDate"] == "2021-02-20T22:00:00.000Z"
    assert campaign["timeZone"] == "Europe/Berlin"

    document = (
        f"<campaign><name>Renamed</name><remarks>Spring drive</remarks>"
        f"<dialingMode>PROGRESSIVE</dialingMode><queueId>{obi.queue_id}</queueId>"
        "<customIvrNumber>+12025550123</customIvrNumber><abandonRate>0.5</abandonRate>"
        "<increasePredictiveRatio>12.5</increasePredictiveRatio></campaign>"
    )
    assert (await obi.send("PUT", f"/campaigns/{obi.campaign_id}", xml=document)).status_code == 204
    root = xml_of(await obi.get(f"/campaigns/{obi.campaign_id}", xml=True))
    assert root.tag == "campaign"
    assert root.findtext("name") == "Renamed" and root.findtext("remarks") == "Spring drive"
    assert root.findtext("dialingMode") == "PROGRESSIVE"
    assert root.findtext("customIvrNumber") == "+12025550123"
    assert (root.findtext("abandonRate"), root.findtext("increasePredictiveRatio")) == (
        "0.5",
        "12.5",
    )
    # A full update: what the XML left out is cleared or back to its default.
    assert root.find("startDate") is None and root.findtext("timeZone") == "America/New_York"


async def test_put_accepts_a_fetched_campaign_sent_back_whole(obi: Obi) -> None:
    campaign = (await obi.get(f"/campaigns/{obi.campaign_id}")).json()
    campaign["name"] = "Round trip"
    assert (await _put(obi, campaign)).status_code == 204
    assert (await obi.get(f"/campaigns/{obi.campaign_id}")).json()["name"] == "Round trip"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"dialingMode": None}, "dialingMode"),
        ({"queueId": None}, "queueId"),
        ({"dialingMode": "POWER"}, "dialingMode"),
        ({"abandonRate": 2.5}, "abandonRate"),
        ({"increasePredictiveRatio": 101}, "increasePredictiveRatio"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"endDate": "2020-01-01T00:00:00Z"}, "endDate"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_put_enforces_required_fields_and_ranges(
    obi: Obi, change: dict[str, Any], field: str
) -> None:
    body = {**PUT_EXAMPLE, "queueId": obi.queue_id, **change}
    body = {key: value for key, value in body.items() if value is not None}
    response = await _put(obi, body)
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_put_refuses_a_queue_that_is_not_the_organizations(
    obi: Obi, client: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    group = await client.post(
        "/api/v1/caller_groups", json={"name": "Theirs"}, headers=other_tenant.headers
    )
    theirs = group.json()["id"].replace("-", "").upper()
    # Another organization's queue is unknown here; a pattern or a bad id is no id at all.
    for queue_id, code in [(theirs, 400), ("63AA93F4" + "*" * 24, 400), ("A" * 37, 422)]:
        response = await _put(obi, {**PUT_EXAMPLE, "queueId": queue_id})
        assert response.status_code == code, response.text
        assert {error["field"] for error in response.json()["errors"]} == {"queueId"}


async def test_status_starts_and_pauses_the_dialer(obi: Obi, session: AsyncSession) -> None:
    assert (await _status(obi, "Passive")).status_code == 204  # a draft is already passive
    assert (await _status(obi, "Active")).status_code == 204
    campaign = (await obi.get(f"/campaigns/{obi.campaign_id}")).json()
    assert (campaign["status"], campaign["dialerStatus"]) == ("Active", "OPEN")
    stored = await session.get(Campaign, uuid.UUID(obi.campaign_id))
    assert stored is not None
    await session.refresh(stored)
    assert stored.status == "started"
    assert (await _status(obi, "Passive")).status_code == 204
    await session.refresh(stored)
    assert stored.status == "paused"
    assert (await _status(obi, "Active")).status_code == 204
    await session.refresh(stored)
    assert stored.status == "started"
    refused = await _status(obi, "Handled")
    assert refused.status_code == 400 and refused.json()["field"] == "status"


async def test_search_by_fields_with_patterns_ids_and_dates(obi: Obi) -> None:
    await _put(obi, {**PUT_EXAMPLE, "queueId": obi.queue_id})

    async def names(**params: Any) -> list[str]:
        response = await obi.get("/campaigns", **params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()]

    assert await names(name="Test*") == ["Test Campaign"]
    assert await names(name="Test?Campaign") == ["Test Campaign"]
    assert await names(name="Other*") == []
    assert await names(dialingMode="PREDICTIVE", status="Passive") == ["Test Campaign"]
    assert await names(queueId=obi.queue_id) == ["Test Campaign"]
    guid = "-".join([obi.queue_id[:8], obi.queue_id[8:12], obi.queue_id[12:16],
                     obi.queue_id[16:20], obi.queue_id[20:]])  # fmt: skip
    assert await names(queueId=guid.lower()) == ["Test Campaign"]
    assert await names(queueId=f"{'0' * 32},{obi.queue_id}") == ["Test Campaign"]
    assert await names(queueId="0" * 32) == []
    assert await names(total="0", maxCalls="0") == ["Test Campaign"]
    assert await names(startDate="2020-06-29T12:00:00.000Z") == ["Test Campaign"]
    assert await names(startDateEnd="2020-06-29T12:00:00.000Z") == []
    assert await names(endDate="2021-01-01T00:00:00Z", endDateEnd="2021-03-01T00:00:00Z") == [
        "Test Campaign"
    ]
    assert await names(registeredEnd="2000-01-01T00:00:00Z") == []
    refused: list[dict[str, Any]] = [
        {"queueId": "63AA93F4*"},
        {"dialerId": "?" * 32},
        {"nope": "1"},
        {"startDate": "yesterday"},
        {"statisticsDate": "2023-05-16T00:00:00Z"},
    ]
    for params in refused:
        response = await obi.get("/campaigns", **params)
        assert response.status_code == 400, params


async def test_xml_list(obi: Obi) -> None:
    root = xml_of(await obi.get("/campaigns", xml=True))
    assert root.tag == "campaigns"
    [campaign] = root.findall("campaign")
    assert campaign.findtext("id") == obi.campaign_id
    assert {child.tag for child in campaign} == SEED_FIELDS


async def test_customer_result_statistics_of_a_new_campaign(obi: Obi) -> None:
    await obi.add_customer({"numbers": "+13122345678"})
    response = await obi.get(f"/campaigns/{obi.campaign_id}/customerResultStatistics")
    assert response.json() == [{"result": "NOT_HANDLED", "count": 1}]
    root = xml_of(await obi.get(f"/campaigns/{obi.campaign_id}/customerResultStatistics", xml=True))
    assert root.find("customerResultStatistic/count").text == "1"  # type: ignore[union-attr]


async def test_auth_basic_bearer_scopes_and_tenancy(
    obi: Obi, client: httpx.AsyncClient, session: AsyncSession, other_tenant: Tenant
) -> None:
    path = f"/obi/campaigns/{obi.campaign_id}"
    account_id = await _account_of(session, obi.tenant)
    assert (await client.get(path, headers=basic(account_id, obi.tenant.token))).status_code == 200
    assert (await client.get(path, headers=basic(account_id.replace("-", ""), obi.tenant.token))
            ).status_code == 200  # fmt: skip
    for headers in (basic("someone-else", obi.tenant.token), basic(account_id, "pb_x_y"), {}):
        refused = await client.get(path, headers=headers)
        assert refused.status_code == 401
        assert "Basic" in refused.headers["www-authenticate"]
    assert (await client.get(path, headers={**other_tenant.headers, **JSON})).status_code == 404
    account = await create_service_account(
        session, organization_id=obi.tenant.organization_id, name="r", scopes=[Scope.CAMPAIGNS_READ]
    )
    reader_token = (await issue_key(session, service_account=account)).token
    reader = Tenant(obi.tenant.organization_id, reader_token, "", "")
    assert (await client.get(path, headers=reader.headers)).status_code == 200
    assert (await client.get("/obi/statistics", headers=reader.headers)).status_code == 403
    with_stats = await client.get(f"{path}?statistics=true", headers=reader.headers)
    assert with_stats.status_code == 403
    put = await client.put(f"{path}/status", content=b"Active", headers={
        **reader.headers, "Content-Type": "text/plain"})  # fmt: skip
    assert put.status_code == 403


async def _account_of(session: AsyncSession, tenant: Tenant) -> str:
    key = (await session.scalars(select(ApiKey).where(ApiKey.key_id == tenant.key_id))).one()
    return str(key.service_account_id)


async def test_a_campaign_without_a_caller_group_reads_and_writes_back_its_queue(
    obi: Obi, client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    created = await client.post(
        "/api/v1/campaigns", json={"name": "Open to all"}, headers=tenant.headers
    )
    campaign_id = created.json()["id"].replace("-", "").upper()
    fetched = (await obi.get(f"/campaigns/{campaign_id}")).json()
    # The queue of all the organization's callers: the same on every read.
    assert fetched["queueName"] == "All callers" and len(fetched["queueId"]) == 32
    assert (await obi.get(f"/campaigns/{campaign_id}")).json()["queueId"] == fetched["queueId"]
    # A client sends the campaign back whole, as the seed asks: it stays open to all.
    response = await obi.client.put(
        f"/obi/campaigns/{campaign_id}",
        json={**fetched, "name": "Still open to all"},
        headers=obi.headers(),
    )
    assert response.status_code == 204, response.text
    stored = await session.get(Campaign, uuid.UUID(campaign_id))
    assert stored is not None
    await session.refresh(stored)
    assert stored.name == "Still open to all" and stored.caller_group_id is None
    searched = (await obi.get("/campaigns", queueId=fetched["queueId"])).json()
    assert [item["id"] for item in searched] == [campaign_id]
