"""The entry point and the conventions every OSDI resource follows."""

import httpx

from tests.conftest import Tenant, make_tenant
from tests.osdi.conftest import ENTRY, Osdi, error_of

RESOURCE_RELS = {
    "osdi:people",
    "osdi:person_signup_helper",
    "osdi:tags",
    "osdi:lists",
    "osdi:questions",
    "osdi:answers",
    "osdi:scripts",
    "osdi:phone_bank",
    "osdi:phone_bank_results",
}


async def test_entry_point_describes_the_server_and_links_every_resource(osdi: Osdi) -> None:
    entry = osdi.entry
    for field in ("motd", "vendor_name", "product_name", "osdi_version", "max_pagesize"):
        assert entry[field]
    assert entry["namespace"] == "phonebank"
    links = entry["_links"]
    assert set(links) >= RESOURCE_RELS
    assert links["self"]["href"].endswith(ENTRY)
    assert links["curies"][0]["name"] == "osdi" and links["curies"][0]["templated"] is True
    for rel in RESOURCE_RELS - {"osdi:person_signup_helper"}:
        page = await osdi.follow(rel)
        assert page["_embedded"][rel] == [], rel
        assert page["total_records"] == 0 and page["page"] == 1


async def test_token_in_query_parameter(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(ENTRY, params={"osdi-api-token": tenant.token})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/hal+json"


async def test_missing_or_bad_token_is_an_osdi_error(client: httpx.AsyncClient) -> None:
    response = await client.get(ENTRY)
    assert response.status_code == 401
    assert error_of(response.json())["response_code"] == 401
    response = await client.get(ENTRY, headers={"OSDI-API-Token": "pb_nope_nope"})
    assert response.status_code == 401


async def test_missing_scope_is_403(client: httpx.AsyncClient, session: object) -> None:
    from phonebank.auth.scopes import Scope

    reader = await make_tenant(session, "Readers", [Scope.CALLS_READ])  # type: ignore[arg-type]
    speaker = Osdi(client, reader)
    await speaker.start()
    body = await speaker.get(speaker.href("osdi:people"), expect=403)
    assert error_of(body)["response_code"] == 403
    body = await speaker.post(speaker.href("osdi:tags"), {"name": "x"}, expect=403)
    assert error_of(body)["response_code"] == 403
