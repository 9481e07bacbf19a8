"""Filling a campaign over the API, and the retry policy after each attempt."""

import uuid
from datetime import datetime

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.lists.models import ListItem, PersonList
from phonebank.people.models import Person, PhoneNumber
from phonebank.tags.models import Tag, Tagging
from tests.calls.conftest import add_campaign, add_person
from tests.conftest import Tenant


async def bulk_people(session: AsyncSession, tenant: Tenant, count: int) -> list[uuid.UUID]:
    """`count` people with one New York number each, inserted in two statements."""
    ids = [uuid.uuid4() for _ in range(count)]
    await session.execute(
        insert(Person),
        [{"id": i, "organization_id": tenant.organization_id, "given_name": "B"} for i in ids],
    )
    await session.execute(
        insert(PhoneNumber),
        [
            {
                "person_id": person_id,
                "organization_id": tenant.organization_id,
                "number": f"+1212555{index:04d}",
                "primary": True,
                "time_zones": ["America/New_York"],
            }
            for index, person_id in enumerate(ids)
        ],
    )
    return ids


async def test_add_people_list_and_tag(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    campaign_id = await add_campaign(session, tenant)
    people = await bulk_people(session, tenant, 3000)
    url = f"/api/v1/campaigns/{campaign_id}/calls"
    first = await client.post(
        url, json={"person_ids": [str(p) for p in people[:10]]}, headers=tenant.headers
    )
    assert first.status_code == 201, first.text
    assert first.json() == {
        "requested": 10,
        "added": 10,
        "already_in_campaign": 0,
        "without_number": 0,
    }

    person_list = PersonList(organization_id=tenant.organization_id, name="all")
    tag = Tag(organization_id=tenant.organization_id, name="t")
    session.add_all([person_list, tag])
    await session.flush()
    await session.execute(
        insert(ListItem), [{"list_id": person_list.id, "person_id": p} for p in people]
    )
    await session.execute(insert(Tagging), [{"tag_id": tag.id, "person_id": p} for p in people[:5]])
    by_list = await client.post(
        url, json={"list_id": str(person_list.id), "type": "winback"}, headers=tenant.headers
    )
    assert by_list.json() == {
        "requested": 3000,
        "added": 2990,
        "already_in_campaign": 10,
        "without_number": 0,
    }
    by_tag = await client.post(url, json={"tag_id": str(tag.id)}, headers=tenant.headers)
    assert by_tag.json()["added"] == 0 and by_tag.json()["already_in_campaign"] == 5

    listed = (await client.get(url, params={"per_page": 1}, headers=tenant.headers)).json()
    assert listed["total"] == 3000
    assert listed["items"][0]["numbers"][0].startswith("+1212555")


async def test_refusals_name_the_field(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, session: AsyncSession
) -> None:
    campaign_id = await add_campaign(session, tenant)
    url = f"/api/v1/campaigns/{campaign_id}/calls"
    foreign_person = await add_person(session, other_tenant, "+12125550190")
    mine = await add_person(session, tenant, "+12125550191")
    bad = await client.post(
        url, json={"person_ids": [str(mine), str(foreign_person)]}, headers=tenant.headers
    )
    assert bad.status_code == 400 and bad.json()["field"] == "person_ids[1]"
    foreign_list = PersonList(organization_id=other_tenant.organization_id, name="theirs")
    session.add(foreign_list)
    await session.flush()
    listed = await client.post(url, json={"list_id": str(foreign_list.id)}, headers=tenant.headers)
    assert listed.status_code == 400 and listed.json()["field"] == "list_id"
    both = await client.post(
        url,
        json={"list_id": str(foreign_list.id), "person_ids": [str(mine)]},
        headers=tenant.headers,
    )
    assert both.status_code == 400
    theirs = await client.post(
        url, json={"person_ids": [str(foreign_person)]}, headers=other_tenant.headers
    )
    assert theirs.status_code == 404
    assert (await client.get(url, headers=other_tenant.headers)).status_code == 404


async def test_busy_retries_later_on_the_next_number(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    campaign_id = await add_campaign(session, tenant, retry_delay_busy_seconds=600)
    person = await add_person(session, tenant, "+12125550192", "+18085550193")
    call = (
        await client.post(
            "/api/v1/calls",
            json={"person_id": str(person), "campaign_id": str(campaign_id)},
            headers=tenant.headers,
        )
    ).json()
    assert call["time_zone"] == "America/New_York"
    busy = (
        await client.post(
            f"{call['uri']}/attempts",
            json={"outcome": "busy", "attempted_at": "2026-07-01T15:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    assert busy["attempts"][0]["number"] == "+12125550192"
    assert busy["next_number_index"] == 1 and busy["time_zone"] == "Pacific/Honolulu"
    next_at = datetime.fromisoformat(busy["next_call_at"])
    assert next_at > datetime.fromisoformat("2026-07-01T15:00:00+00:00")
    abandoned = (
        await client.post(
            f"{call['uri']}/attempts", json={"outcome": "abandoned"}, headers=tenant.headers
        )
    ).json()
    # A human answered that number: the next try calls it again, a day later.
    assert abandoned["next_number_index"] == 1
    gap = datetime.fromisoformat(abandoned["next_call_at"]) - datetime.fromisoformat(
        abandoned["attempts"][1]["attempted_at"]
    )
    assert gap.total_seconds() >= 86400 - 5


async def test_human_on_the_last_attempt_waits_for_its_result(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    campaign_id = await add_campaign(session, tenant, retry_count=0)
    person = await add_person(session, tenant, "+12125550194")
    call = (
        await client.post(
            "/api/v1/calls",
            json={"person_id": str(person), "campaign_id": str(campaign_id)},
            headers=tenant.headers,
        )
    ).json()
    answered = (
        await client.post(
            f"{call['uri']}/attempts", json={"outcome": "human"}, headers=tenant.headers
        )
    ).json()
    assert answered["status"] == "requested"
    done = await client.post(
        f"{call['uri']}/complete", json={"result": "support"}, headers=tenant.headers
    )
    assert done.json()["status"] == "completed"
