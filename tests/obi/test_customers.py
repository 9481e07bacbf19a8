"""OBI customers: the seed's examples in JSON and XML, searches, bulk adds and their codes."""

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.calls.models import Answer, Attempt, Call, Result
from phonebank.campaigns.models import Campaign
from tests.obi.conftest import Obi, xml_of

# The seed's POST example (its stray closing brace removed).
POST_EXAMPLE = {
    "attributes": {
        "attribute": [
            {"name": "City", "value": "New York"},
            {"name": "Classification", "value": "Gold"},
            {"name": "Address", "value": "StreetAddress10"},
            {"name": "First Name", "value": "Kathy"},
        ]
    },
    "externalId": "10",
    "numbers": "0215428754;98521542",
    "timeZone": "Europe/Helsinki",
}
# Fields of the seed's customer example that a fresh customer shows (no script asked).
CUSTOMER_FIELDS = {
    "attributes", "result", "date", "priority", "lastBNumber", "callCount", "modificationDate",
    "timeZone", "externalId", "numbers", "id",
}  # fmt: skip


def list_example(numbers: list[str]) -> list[dict[str, Any]]:
    """The seed's list upload, with the numbers given."""
    people = [("New York", "Gold", "Kathy"), ("New York", "Silver", "Bob"),
              ("London", "Gold", "John"), ("Helsinki", "Gold", "Keith"),
              ("New York", "Gold", "Kate")]  # fmt: skip
    return [
        {
            "attributes": {
                "attribute": [
                    {"name": "City", "value": city},
                    {"name": "Classification", "value": level},
                    {"name": "First Name", "value": first},
                    {"name": "Last Name", "value": "Smith"},
                ]
            },
            "numbers": number,
        }
        for (city, level, first), number in zip(people, numbers, strict=True)
    ]


def customers_path(obi: Obi, suffix: str = "") -> str:
    """The campaign's customers collection (and `suffix`)."""
    return f"/campaigns/{obi.campaign_id}/customers{suffix}"


async def test_post_example_then_get_it_in_json_and_xml(obi: Obi) -> None:
    response = await obi.send("POST", customers_path(obi), POST_EXAMPLE)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("text/html")
    new_id = response.text
    assert len(new_id) == 32 and new_id == new_id.upper()
    assert response.headers["location"].endswith(f"/obi{customers_path(obi)}/{new_id}")

    customer = (await obi.get(customers_path(obi, f"/{new_id}"))).json()
    assert set(customer) == CUSTOMER_FIELDS
    assert customer["externalId"] == "10" and customer["id"] == new_id
    # Numbers in national form belong to the country of the customer's zone (Finland).
    assert customer["numbers"] == "+358215428754;+35898521542"
    attributes = {item["name"]: item["value"] for item in customer["attributes"]["attribute"]}
    assert attributes["City"] == "New York" and attributes["Phone1"] == "+358215428754"
    assert (customer["result"], customer["callCount"], customer["lastBNumber"]) == (
        "NOT_HANDLED",
        0,
        0,
    )

    root = xml_of(await obi.get(customers_path(obi, f"/{new_id}"), xml=True))
    assert root.tag == "customer" and root.findtext("externalId") == "10"
    names = [a.findtext("name") for a in root.findall("attributes/attribute")]
    assert names == ["Address", "City", "Classification", "First Name", "Phone1", "Phone2"]


async def test_post_in_xml_with_phone_attributes(obi: Obi) -> None:
    document = (
        "<customer><externalId>7</externalId><timeZone>Europe/Helsinki</timeZone><attributes>"
        "<attribute><name>Phone1</name><value>951254875</value></attribute>"
        "<attribute><name>Phone2</name><value>951254875</value></attribute>"
        "<attribute><name>First Name</name><value>Julie</value></attribute>"
        "</attributes><priority>5</priority><dialingMode>PREVIEW</dialingMode>"
        "<previewTime>30</previewTime></customer>"
    )
    response = await obi.send("POST", customers_path(obi), xml=document)
    assert response.status_code == 201, response.text
    customer = (await obi.get(customers_path(obi, f"/{response.text}"))).json()
    assert customer["numbers"] == "+358951254875;+358951254875"
    assert (customer["priority"], customer["dialingMode"], customer["previewTime"]) == (
        5,
        "PREVIEW",
        30,
    )


async def test_post_refusals(obi: Obi) -> None:
    await obi.add_customer({"numbers": "+13122345678", "externalId": "007"})
    cases = [
        ({"numbers": "+number;"}, 400, "Invalid numbers: '+number;'"),
        ({"numbers": "+13122345671;+13122345672;+13122345673;+13122345674"}, 400, "numbers"),
        ({"attributes": {"attribute": [{"name": "City", "value": "X"}]}}, 400, "numbers"),
        ({"numbers": "+13122345679", "externalId": "007"}, 409, "Value is not unique"),
        ({"numbers": "+13122345679", "timeZone": "Nowhere/Land"}, 400, "timeZone"),
        ({"numbers": "+13122345679", "agentId": "ABC*"}, 400, "agentId"),
        ({"numbers": "+13122345679", "agentId": uuid.uuid4().hex}, 400, "agentId"),
        ({"numbers": "+13122345679", "dialingMode": "PROGRESSIVE"}, 422, "dialingMode"),
        ({"numbers": "+13122345679", "shoeSize": 44}, 422, "shoeSize"),
    ]
    for body, code, words in cases:
        response = await obi.send("POST", customers_path(obi), body)
        assert response.status_code == code, (body, response.text)
        assert words in response.text, (body, response.text)
    assert len((await obi.get(customers_path(obi))).json()) == 1


async def test_list_upload_examples(obi: Obi) -> None:
    # Verbatim, the seed's numbers (+52 145200) are too short to be real Mexican numbers.
    seed = list_example([f"+5214520{n};" for n in range(5)])
    response = await obi.send("POST", customers_path(obi, "/list"), seed)
    assert response.status_code == 200
    assert response.json()[0] == {"error": "Invalid numbers: '+52145200;'", "statusCode": 400}
    # The same upload with dialable numbers: all customers added.
    real = list_example([f"+52551452020{n};" for n in range(5)])
    response = await obi.send("POST", customers_path(obi, "/list"), real)
    items = response.json()
    assert [item["statusCode"] for item in items] == [201] * 5
    listed = {c["id"]: c for c in (await obi.get(customers_path(obi))).json()}
    assert set(listed) == {item["id"] for item in items}
    assert {c["externalId"] for c in listed.values()} == set(listed)  # generated: the id


async def test_list_with_an_invalid_entry_adds_the_others(obi: Obi) -> None:
    entries = [{"numbers": f"+1312234567{n}"} for n in range(8)]
    entries[3] = {"numbers": "+number;"}
    response = await obi.send("POST", customers_path(obi, "/list"), entries)
    items = response.json()
    assert items[3] == {"error": "Invalid numbers: '+number;'", "statusCode": 400}
    assert [item["statusCode"] for item in items] == [201, 201, 201, 400, 201, 201, 201, 201]
    assert len((await obi.get(customers_path(obi))).json()) == 7


async def test_stop_process_if_invalid_entries_found(obi: Obi) -> None:
    entries = [{"numbers": f"+131223456{n:02d}", "externalId": f"e{n}"} for n in range(10)]
    entries[5]["externalId"] = entries[7]["externalId"] = "007"
    response = await obi.send(
        "POST", customers_path(obi, "/list"), entries, stopProcessIfInvalidEntriesFound="true"
    )
    items = response.json()
    duplicate = {"error": "Invalid externalId: 007 : Value is not unique", "statusCode": 400}
    assert (
        items
        == [{"statusCode": 200}] * 5
        + [duplicate, {"statusCode": 200}, duplicate]
        + [{"statusCode": 200}] * 2
    )
    assert (await obi.get(customers_path(obi))).json() == []
    # A shape error stops the process too.
    entries[7]["externalId"] = "e7"
    entries[2]["priority"] = "high"
    xml_items = "".join(
        f"<customer><numbers>{e['numbers']}</numbers><externalId>{e['externalId']}</externalId>"
        + (f"<priority>{e['priority']}</priority>" if "priority" in e else "")
        + "</customer>"
        for e in entries
    )
    response = await obi.send(
        "POST",
        customers_path(obi, "/list"),
        xml=f"<customers>{xml_items}</customers>",
        stopProcessIfInvalidEntriesFound="true",
    )
    root = xml_of(await obi.get(customers_path(obi, ""), xml=True))
    assert root.findall("customer") == []
    assert response.status_code == 200, response.text
    codes = [item.findtext("statusCode") for item in xml_of(response).findall("result")]
    assert codes == ["200", "200", "400", "200", "200", "200", "200", "200", "200", "200"]


async def test_duplicate_external_id_against_the_campaign(obi: Obi) -> None:
    await obi.add_customer({"numbers": "+13122345678", "externalId": "007"})
    response = await obi.send(
        "POST", customers_path(obi, "/list"), [{"numbers": "+13122345679", "externalId": "007"}]
    )
    assert response.json() == [
        {"error": "Invalid externalId: 007 : Value is not unique", "statusCode": 400}
    ]


async def test_ten_thousand_customers_in_one_upload(obi: Obi, session: AsyncSession) -> None:
    entries = [
        {"numbers": f"+1312{2000000 + n:07d}", "externalId": str(n), "priority": n % 3}
        for n in range(10_000)
    ]
    response = await obi.send("POST", customers_path(obi, "/list"), entries)
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 10_000 and {item["statusCode"] for item in items} == {201}
    stored = await session.scalar(
        select(func.count()).select_from(Call).where(Call.campaign_id == uuid.UUID(obi.campaign_id))
    )
    assert stored == 10_000
    page = (await obi.get(customers_path(obi), offset=9_990)).json()
    assert [c["externalId"] for c in page] == [str(n) for n in range(9_990, 10_000)]
    assert len((await obi.get(customers_path(obi))).json()) == 100  # the default limit


async def test_search_customers(obi: Obi, client: httpx.AsyncClient) -> None:
    caller = await client.post("/api/v1/callers", json={"name": "Ann"}, headers=obi.tenant.headers)
    agent = caller.json()["id"].replace("-", "").upper()
    await obi.add_customer({**POST_EXAMPLE, "agentId": agent, "priority": 2})
    await obi.add_customer(
        {"externalId": "7", "numbers": "+13122345678", "date": "2030-01-01T00:00:00Z",
         "attributes": [{"name": "Classification", "value": "Silver"}]}
    )  # fmt: skip

    async def external_ids(**params: Any) -> list[str]:
        response = await obi.get(customers_path(obi), **params)
        assert response.status_code == 200, response.text
        return [customer["externalId"] for customer in response.json()]

    assert await external_ids() == ["10", "7"]
    assert await external_ids(externalId="1?") == ["10"]
    assert await external_ids(numbers="*5428754*") == ["10"]
    assert await external_ids(result="NOT_HANDLED", priority="2") == ["10"]
    assert await external_ids(timeZone="Europe/*") == ["10"]
    assert await external_ids(callCount="0", lastBNumber="0") == ["10", "7"]
    assert await external_ids(agentId=agent) == ["10"]
    assert await external_ids(agentId=f"{agent},{uuid.uuid4()}") == ["10"]
    assert await external_ids(attributeName="classification", attributeValue="gold") == ["10"]
    assert await external_ids(attributeName="Classification") == ["10", "7"]
    assert await external_ids(date="2029-01-01T00:00:00Z") == ["7"]
    assert await external_ids(dateEnd="2029-01-01T00:00:00Z") == ["10"]
    assert await external_ids(modificationDateEnd="2000-01-01T00:00:00Z") == []
    assert await external_ids(offset="1", limit="1") == ["7"]
    assert await external_ids(result="NOT*", offset="1") == ["7"]
    for params in ({"agentId": "ABC*"}, {"attributeValue": "gold"}, {"limit": "-1"},
                   {"offset": "x"}, {"shoeSize": "44"}, {"date": "soon"}):  # fmt: skip
        assert (await obi.get(customers_path(obi), **params)).status_code == 400, params


async def test_results_and_script_answers(
    obi: Obi, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    script = await client.post(
        "/api/v1/scripts",
        json={"name": "Tennis Sales Script", "questions": [
            {"name": "visit", "title": "Would you visit our store?", "question_type": "Paragraph"}
        ]},
        headers=obi.tenant.headers,
    )  # fmt: skip
    campaign = await session.get_one(Campaign, uuid.UUID(obi.campaign_id))
    campaign.script_id = uuid.UUID(script.json()["id"])
    done, refused, rejected = [
        uuid.UUID(await obi.add_customer({"numbers": f"+1312234560{n}"})) for n in range(3)
    ]
    for call_id, outcome, disposition in [(done, "human", "Offer accepted"),
                                          (refused, "human", "Refusal"),
                                          (rejected, "rejected", None)]:  # fmt: skip
        call = await session.get_one(Call, call_id)
        attempt = Attempt(call_id=call_id, campaign_id=campaign.id, outcome=outcome)
        session.add(attempt)
        call.attempts_count = 1
        if disposition is not None:
            call.status = "completed"
            await session.flush()
            result = Result(
                call_id=call_id, campaign_id=campaign.id, attempt_id=attempt.id,
                disposition=disposition,
            )  # fmt: skip
            session.add(result)
            await session.flush()
            question_id = uuid.UUID(script.json()["questions"][0]["id"])
            session.add(
                Answer(
                    person_id=call.person_id,
                    result_id=result.id,
                    question_id=question_id,
                    value="yes",
                )
            )
    await session.flush()
    session.expire_all()

    customers = (await obi.get(customers_path(obi), includeScript="true")).json()
    by_id = {customer["id"]: customer for customer in customers}
    accepted = by_id[done.hex.upper()]
    assert (accepted["result"], accepted["callResult"], accepted["classifier"]) == (
        "SUCCESS", "SUCCESS", "Offer accepted",
    )  # fmt: skip
    assert accepted["date"] == "9999-12-31T23:59:59Z"
    assert accepted["script"] == {
        "answers": [{"answer": "yes", "question": "Would you visit our store?"}],
        "name": "Tennis Sales Script",
    }
    assert by_id[refused.hex.upper()]["result"] == "REFUSAL"
    agent_rejected = by_id[rejected.hex.upper()]
    assert (agent_rejected["result"], agent_rejected["classifier"]) == (
        "AGENT_REJECTED", "AGENT_REJECTED",
    )  # fmt: skip
    assert "script" not in (await obi.get(customers_path(obi))).json()[0]
    one = (await obi.get(customers_path(obi, f"/{done.hex.upper()}"))).json()
    assert one["script"] == accepted["script"]
    groups = (await obi.get(f"/campaigns/{obi.campaign_id}/customerResultStatistics")).json()
    assert groups == [
        {"result": "AGENT_REJECTED", "callResult": "AGENT_REJECTED",
         "classifier": "AGENT_REJECTED", "count": 1},
        {"result": "REFUSAL", "callResult": "REFUSAL", "classifier": "Refusal", "count": 1},
        {"result": "SUCCESS", "callResult": "SUCCESS", "classifier": "Offer accepted",
         "count": 1},
    ]  # fmt: skip
    searched = await obi.get(customers_path(obi), callResult="SUCCESS*")
    assert [customer["id"] for customer in searched.json()] == [done.hex.upper()]


async def test_delete_and_other_campaigns(obi: Obi, client: httpx.AsyncClient) -> None:
    new_id = await obi.add_customer({"numbers": "+13122345678"})
    other = await client.post(
        "/api/v1/campaigns", json={"name": "Other"}, headers=obi.tenant.headers
    )
    other_id = other.json()["id"].replace("-", "").upper()
    assert (await obi.get(f"/campaigns/{other_id}/customers/{new_id}")).status_code == 404
    path = f"/obi/campaigns/{obi.campaign_id}/customers/{new_id}"
    assert (await client.delete(path, headers=obi.headers())).status_code == 204
    assert (await client.get(path, headers=obi.headers())).status_code == 404
    assert (await client.delete(path, headers=obi.headers())).status_code == 404
    bad = f"/obi/campaigns/{obi.campaign_id}/customers/not-an-id"
    assert (await client.get(bad, headers=obi.headers())).status_code == 404


def _xml_customer(body: dict[str, Any]) -> str:
    """A customer body as OBI's XML."""
    attributes = "".join(
        f"<attribute><name>{a['name']}</name><value>{a['value']}</value></attribute>"
        for a in body.get("attributes", {}).get("attribute", [])
    )
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in body.items() if k != "attributes")
    return f"<customer><attributes>{attributes}</attributes>{fields}</customer>"


async def test_seed_examples_in_xml(obi: Obi) -> None:
    response = await obi.send("POST", customers_path(obi), xml=_xml_customer(POST_EXAMPLE))
    assert response.status_code == 201, response.text
    customer = (await obi.get(customers_path(obi, f"/{response.text}"))).json()
    assert customer["numbers"] == "+358215428754;+35898521542"
    assert len(customer["attributes"]["attribute"]) == 6

    real = list_example([f"+52551452020{n};" for n in range(5)])
    document = "<customers>" + "".join(_xml_customer(item) for item in real) + "</customers>"
    uploaded = await obi.send("POST", customers_path(obi, "/list"), xml=document)
    results = xml_of(uploaded).findall("result")
    assert [r.findtext("statusCode") for r in results] == ["201"] * 5
    assert all(len(r.findtext("id") or "") == 32 for r in results)
    root = xml_of(await obi.get(customers_path(obi), xml=True))
    assert len(root.findall("customer")) == 6
    assert root.find("customer/attributes/attribute/name") is not None


async def test_customers_need_the_calls_scopes(obi: Obi, session: AsyncSession) -> None:
    account = await create_service_account(
        session, organization_id=obi.tenant.organization_id, name="c",
        scopes=[Scope.CAMPAIGNS_READ, Scope.CALLS_READ],
    )  # fmt: skip
    token = (await issue_key(session, service_account=account)).token
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/obi{customers_path(obi)}"
    assert (await obi.client.get(path, headers=headers)).status_code == 200
    added = await obi.client.post(path, json={"numbers": "+13122345678"}, headers=headers)
    assert added.status_code == 403
    listed = await obi.client.post(f"{path}/list", json=[], headers=headers)
    assert listed.status_code == 403
