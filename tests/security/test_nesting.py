"""Deep nesting (JSON, OBI XML, filters) is a 400, never a 500."""

import httpx

from tests.conftest import Tenant
from tests.obi.conftest import Obi
from tests.osdi.conftest import Osdi


async def test_deeply_nested_json_is_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    deep = '{"name": "Deep", "custom_fields": ' + '{"a": ' * 1200 + "1" + "}" * 1200 + "}"
    for url in ("/api/v1/campaigns", "/api/v1/people"):
        response = await client.post(
            url, content=deep, headers={**tenant.headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    arrays = "[" * 5000 + "]" * 5000
    response = await client.post(
        "/api/v1/campaigns", content=arrays, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text


async def test_deep_but_legal_json_still_passes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    fields = '{"a": ' * 20 + "1" + "}" * 20
    brackets_in_text = '"' + "[{" * 500 + '"'
    body = '{"given_name": ' + brackets_in_text + ', "custom_fields": {"f": ' + fields + "}}"
    response = await client.post(
        "/api/v1/people",
        content=body,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code != 400 or "deeper" not in response.text, response.text


async def test_deeply_nested_json_is_400_on_every_face(obi: Obi, osdi: Osdi) -> None:
    deep = "[" * 1200 + "]" * 1200
    as_json = {"Content-Type": "application/json"}
    for method, url, headers in (
        ("PUT", f"/obi/campaigns/{obi.campaign_id}", obi.headers(as_json)),
        ("POST", f"/obi/campaigns/{obi.campaign_id}/customers/list", obi.headers(as_json)),
        ("POST", osdi.href("osdi:people"), {**obi.tenant.headers, **as_json}),
    ):
        response = await obi.client.request(method, url, content=deep, headers=headers)
        assert response.status_code == 400, (url, response.text)


async def test_deeply_nested_obi_xml_is_400(obi: Obi) -> None:
    deep = "<campaign>" + "<a>" * 1200 + "x" + "</a>" * 1200 + "</campaign>"
    response = await obi.send("PUT", f"/campaigns/{obi.campaign_id}", xml=deep)
    assert response.status_code == 400, response.text
    bulk = "<customers>" + "<customer>" + "<a>" * 1200 + "</a>" * 1200 + "</customer></customers>"
    response = await obi.send("POST", f"/campaigns/{obi.campaign_id}/customers/list", xml=bulk)
    assert response.status_code == 400, response.text


async def test_filters_with_deep_parentheses_are_400(osdi: Osdi) -> None:
    people = osdi.href("osdi:people")
    deep = "(" * 400 + "modified_date gt '2024-01-01'" + ")" * 400
    answer = await osdi.get(people, filter=deep, expect=400)
    assert "deeper" in str(answer)
    fine = "(" * 5 + "modified_date gt '2024-01-01'" + ")" * 5
    await osdi.get(people, filter=fine)
