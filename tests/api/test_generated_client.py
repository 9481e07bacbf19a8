"""A client nobody here wrote: generated from /openapi.json by openapi-python-client, with no
warning about the document, it creates a person, a script and a campaign, fills the campaign
and reads the call, unchanged."""

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import Tenant

PACKAGE = "phonebank_generated_client"


@pytest.fixture
def generated(tmp_path: Path, app: FastAPI) -> Iterator[ModuleType]:
    """The client package, generated into a scratch folder and importable."""
    folder = tmp_path
    document = folder / "openapi.json"
    document.write_text(json.dumps(app.openapi()))
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator is not None
    made = subprocess.run(
        [generator, "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, timeout=300, check=False,
        # Its post-generation hooks run ruff, from this environment.
        env={"PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Warning" not in made.stdout + made.stderr, made.stdout + made.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


async def test_a_generated_client_runs_a_journey_unchanged(
    generated: ModuleType, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    models = _module("models")
    api = generated.AuthenticatedClient(base_url=str(client.base_url), token=tenant.token)
    # Through the test's own transport, inside its transaction.
    client.headers.update(tenant.headers)
    api.set_async_httpx_client(client)

    person = await _module("api.people.people_create").asyncio(
        client=api,
        body=models.PersonCreate(
            given_name="Ada", phone_numbers=[models.PhoneNumberIn(number="+12125550101")]
        ),
    )
    assert isinstance(person, models.PersonOut), person
    script = await _module("api.scripts.scripts_create").asyncio(
        client=api, body=models.ScriptCreate(name="Generated script")
    )
    assert isinstance(script, models.ScriptOut), script
    campaign = await _module("api.campaigns.campaigns_create").asyncio(
        client=api, body=models.CampaignCreate(name="Generated campaign", script_id=script.id)
    )
    assert isinstance(campaign, models.CampaignOut), campaign
    added = await _module("api.calls.calls_add_campaign").asyncio(
        campaign.id, client=api, body=models.CampaignCallsAdd(person_ids=[person.id])
    )
    assert isinstance(added, models.CallsAddedOut) and added.added == 1, added
    calls = await _module("api.calls.calls_list_campaign").asyncio(campaign.id, client=api)
    [call] = calls.items
    read = await _module("api.calls.calls_get").asyncio(call.id, client=api)
    assert read.person_id == person.id and read.status == "requested"
    assert read.numbers == ["+12125550101"]
