"""Recorded messages API."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from tests.conftest import Tenant, make_tenant

VOICEMAIL = {
    "name": "Evening voicemail",
    "kind": "voicemail",
    "audio_url": "https://cdn.example.org/vm.mp3",
    "duration_seconds": 12.5,
}


async def _create(client: httpx.AsyncClient, tenant: Tenant, **fields: object) -> dict[str, object]:
    response = await client.post(
        "/api/v1/messages", json={**VOICEMAIL, **fields}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_create_get_and_list(client: httpx.AsyncClient, tenant: Tenant) -> None:
    message = await _create(client, tenant)
    assert message["name"] == "Evening voicemail"
    assert message["audio_url"] == "https://cdn.example.org/vm.mp3"
    assert message["duration_seconds"] == 12.5
    assert message["text"] is None
    assert message["uri"] == f"http://testserver/api/v1/messages/{message['id']}"

    fetched = await client.get(str(message["uri"]), headers=tenant.headers)
    assert fetched.status_code == 200
    assert fetched.json()["kind"] == "voicemail"
    listed = (await client.get("/api/v1/messages", headers=tenant.headers)).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == message["id"]


async def test_text_only_message_defaults_to_voicemail(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"name": "Spoken", "text": "Sorry we missed you."}
    response = await client.post("/api/v1/messages", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "voicemail"
    assert response.json()["audio_url"] is None
    assert response.json()["text"] == "Sorry we missed you."


async def test_list_filters_by_kind_and_paginates(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _create(client, tenant, name="vm")
    harbor = await _create(client, tenant, name="harbor", kind="safe_harbor")
    await _create(client, tenant, name="hold", kind="hold")
    only = (await client.get("/api/v1/messages?kind=safe_harbor", headers=tenant.headers)).json()
    assert only["total"] == 1 and only["items"][0]["id"] == harbor["id"]
    page = (await client.get("/api/v1/messages?per_page=2&page=2", headers=tenant.headers)).json()
    assert page["total"] == 3 and len(page["items"]) == 1 and page["total_pages"] == 2
    bad = await client.get("/api/v1/messages?kind=music", headers=tenant.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"


async def test_audio_or_text_is_required(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post("/api/v1/messages", json={"name": "x"}, headers=tenant.headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "audio_url"


async def test_invalid_fields_are_422_naming_them(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {
        "name": "",
        "kind": "music",
        "audio_url": "ftp://example.org/a.wav",
        "duration_seconds": 0,
        "volume": 11,
    }
    response = await client.post("/api/v1/messages", json=body, headers=tenant.headers)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"name", "kind", "audio_url", "duration_seconds", "volume"}


async def test_update_and_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    message = await _create(client, tenant)
    uri = str(message["uri"])
    patch = {"name": "Renamed", "kind": "safe_harbor", "text": "Please hold.", "audio_url": None}
    updated = await client.patch(uri, json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed"
    assert updated.json()["kind"] == "safe_harbor"
    assert updated.json()["audio_url"] is None
    assert updated.json()["duration_seconds"] == 12.5
    assert (await client.get(uri, headers=tenant.headers)).json()["text"] == "Please hold."

    assert (await client.delete(uri, headers=tenant.headers)).status_code == 204
    assert (await client.get(uri, headers=tenant.headers)).status_code == 404


async def test_update_cannot_clear_both_or_null_required(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    uri = str((await _create(client, tenant))["uri"])
    cleared = await client.patch(uri, json={"audio_url": None}, headers=tenant.headers)
    assert cleared.status_code == 400
    assert cleared.json()["field"] == "audio_url"
    nulled = await client.patch(uri, json={"name": None, "kind": None}, headers=tenant.headers)
    assert nulled.status_code == 422
    assert {error["field"] for error in nulled.json()["errors"]} == {"name", "kind"}
    kept = (await client.get(uri, headers=tenant.headers)).json()
    assert kept["audio_url"] == "https://cdn.example.org/vm.mp3"
    assert kept["name"] == "Evening voicemail"


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    uri = str((await _create(client, tenant))["uri"])
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "stolen"} if method == "PATCH" else None
        response = await client.request(method, uri, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, method
    listed = await client.get("/api/v1/messages", headers=other_tenant.headers)
    assert listed.json()["total"] == 0
    assert (await client.get(uri, headers=tenant.headers)).json()["name"] == "Evening voicemail"


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    uri = str((await _create(client, tenant))["uri"])
    reader = await make_tenant(session, "Readers", [Scope.CAMPAIGNS_READ])
    outsider = await make_tenant(session, "People only", [Scope.PEOPLE_READ])
    assert (await client.get("/api/v1/messages", headers=reader.headers)).status_code == 200
    created = await client.post("/api/v1/messages", json=VOICEMAIL, headers=reader.headers)
    assert created.status_code == 403
    assert created.headers["content-type"] == "application/problem+json"
    assert (await client.delete(uri, headers=reader.headers)).status_code == 403
    denied = await client.get("/api/v1/messages", headers=outsider.headers)
    assert denied.status_code == 403
    assert (await client.get(uri, headers=tenant.headers)).status_code == 200


async def test_requires_authentication(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/messages")).status_code == 401
