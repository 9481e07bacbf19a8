"""A generic HAL client from PyPI (halchemy) walks the OSDI face by link relations only."""

import asyncio
from typing import Any

import httpx
import requests
from halchemy import Api
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.conftest import Tenant

BASE = "http://testserver"


class AsgiAdapter(BaseAdapter):
    """Carries the client's requests (made on a worker thread) to the in-process application."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.client = client
        self.loop = loop

    def send(self, request: Any, **_kwargs: Any) -> requests.Response:
        """Run the request on the test's event loop and wrap the answer for requests."""
        future = asyncio.run_coroutine_threadsafe(
            self.client.request(
                request.method, request.url, content=request.body, headers=dict(request.headers)
            ),
            self.loop,
        )
        answer = future.result(timeout=60)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = request.url
        response.request = request
        response.reason = answer.reason_phrase
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release."""


def _walk(api: Api) -> dict[str, Any]:
    """What a sync tool does: entry point, signup, then the person's links."""
    home = api.home.get()
    assert home._halchemy.response.status_code == 200, home._halchemy.response.body
    tag = api.follow(home).to("osdi:tags").post({"name": "volunteer"})
    assert tag._halchemy.response.status_code == 200
    person = (
        api.follow(home)
        .to("osdi:person_signup_helper")
        .post(
            {
                "person": {
                    "given_name": "Hal",
                    "email_addresses": [{"address": "hal@example.org"}],
                    "phone_numbers": [{"number": "+1 415 555 2671"}],
                },
                "add_tags": ["volunteer"],
            }
        )
    )
    assert person._halchemy.response.status_code == 200, person._halchemy.response.body
    taggings = api.follow(person).to("osdi:taggings").get()
    tagged = taggings.embedded_many("osdi:taggings")
    tag_of_person = api.follow(tagged[0]).to("osdi:tag").get()
    people = api.follow(home).to("osdi:people").with_parameters({"per_page": 1}).get()
    found = (
        api.follow(home)
        .to("osdi:people")
        .with_parameters({"filter": "phone_number eq '14155552671'"})
        .get()
    )
    missing = api.follow(person).to("self").get()
    api.follow(person).to("self").delete()
    gone = api.follow(missing).to("self").get()
    return {
        "person": person,
        "tag": tag_of_person,
        "people": people,
        "found": found,
        "gone": gone,
    }


async def test_halchemy_walks_the_api(client: httpx.AsyncClient, tenant: Tenant) -> None:
    api = Api(f"{BASE}/osdi/v1", headers={"OSDI-API-Token": tenant.token})
    api.remove_headers(["Authorization"])
    api._api.mount(BASE, AsgiAdapter(client, asyncio.get_running_loop()))

    seen = await asyncio.to_thread(_walk, api)

    assert seen["person"]["given_name"] == "Hal"
    assert seen["person"].links[:1] == ["self"]
    assert seen["tag"]["name"] == "volunteer"
    assert seen["people"]["total_records"] == 1 and seen["people"].has_rel("osdi:people")
    assert [p["given_name"] for p in seen["found"].embedded_many("osdi:people")] == ["Hal"]
    assert seen["gone"]._halchemy.response.status_code == 404
    assert "osdi:error" in seen["gone"]._halchemy.response.body
