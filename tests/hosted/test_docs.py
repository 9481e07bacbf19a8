"""The requests docs/hosted-dialing.md shows are accepted as written."""

import json
import re
from pathlib import Path

import httpx

from tests.conftest import Tenant

DOC = Path(__file__).parents[2] / "docs" / "hosted-dialing.md"
# A fenced ```http block: the request line, headers, a blank line, then a JSON body.
REQUEST = re.compile(r"```http\n(POST) (\S+)\n(?:[^\n]+\n)*\n(.*?)```", re.DOTALL)


async def test_every_documented_request_is_accepted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    requests = REQUEST.findall(DOC.read_text())
    assert len(requests) == 3
    for method, path, body in requests:
        response = await client.request(method, path, json=json.loads(body), headers=tenant.headers)
        assert response.status_code == 201, (path, response.text)
        answer = response.json()
        assert not answer.get("rejected"), (path, answer)
