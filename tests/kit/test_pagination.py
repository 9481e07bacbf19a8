"""Page numbers are bounded, so no offset can overflow the database's integers."""

import httpx

from phonebank.kit.pagination import MAX_PAGE
from tests.conftest import Tenant


async def test_a_page_past_the_bound_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for path in ("/api/v1/tags", "/osdi/v1/tags"):
        response = await client.get(
            f"{path}?page=769533340758845990344513134", headers=tenant.headers
        )
        assert response.status_code in {400, 422}, (path, response.text)
        assert response.status_code == (400 if path.startswith("/osdi") else 422)


async def test_the_last_allowed_page_is_simply_empty(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        f"/api/v1/tags?page={MAX_PAGE}&per_page=100", headers=tenant.headers
    )
    assert response.status_code == 200
    assert response.json()["items"] == []
