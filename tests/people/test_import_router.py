"""Importing people from CSV: mapping, merging, per-row errors, adding to a campaign."""

import httpx

from tests.conftest import Tenant

CSV = (
    "First Name,Last Name,Phone,E-mail,Ward\n"
    "Ada,Nguyen,(415) 555-2671,ada@example.org,3\n"
    "Ben,Okafor,not a phone,ben@example.org,4\n"
    ",,,,\n"
    "Carmen,Patel,+1 212 555 0199,,5\n"
    "Ada,N.,415-555-2671,,3\n"
    "Dev,Quinn,,dev@@example,6\n"
    "Elena,Rossi,,,7\n"
)


async def _upload(
    client: httpx.AsyncClient, tenant: Tenant, body: bytes, **form: str | list[str]
) -> httpx.Response:
    return await client.post(
        "/api/v1/people/import",
        files={"file": ("people.csv", body, "text/csv")},
        data=form,
        headers=tenant.headers,
    )


async def test_rows_are_mapped_merged_and_bad_ones_reported(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = (
        await client.post("/api/v1/campaigns", json={"name": "Import"}, headers=tenant.headers)
    ).json()
    response = await _upload(client, tenant, CSV.encode(), campaign_id=campaign["id"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rows"] == 6  # the blank row is not a row
    assert report["created"] == 2  # Ada (twice, merged by phone) and Carmen
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "phone_number"),
        (7, "email_address"),
        (8, "phone_number"),
    ]
    assert report["added_to_campaign"] == 2
    people = (
        await client.get("/api/v1/people", params={"per_page": 50}, headers=tenant.headers)
    ).json()["items"]
    ada = next(p for p in people if p["given_name"] == "Ada")
    assert ada["family_name"] == "N."  # the later row updated the name
    assert ada["custom_fields"] == {"Ward": "3"}
    assert [n["number"] for n in ada["phone_numbers"]] == ["+14155552671"]

    again = (await _upload(client, tenant, CSV.encode())).json()
    assert again["created"] == 0 and again["updated"] == 2


async def test_explicit_mapping_and_unreadable_files(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = b"who;tel\nZed;+12025550111\n"
    mapped = await _upload(client, tenant, body, map=["who=given_name", "tel=phone_number"])
    assert mapped.status_code == 200 and mapped.json()["created"] == 1
    bad_map = await _upload(client, tenant, body, map=["who=shoe_size"])
    assert bad_map.status_code == 400 and bad_map.json()["field"] == "map"
    no_contact = await _upload(client, tenant, b"name,ward\nZed,1\n")
    assert no_contact.status_code == 400 and no_contact.json()["field"] == "file"
    empty = await _upload(client, tenant, b"")
    assert empty.status_code == 400
