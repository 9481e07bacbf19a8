"""A tenant names a pacer from the registry; nothing a tenant sends is ever imported."""

import sys

import httpx
import pytest
from sqlalchemy import text

from phonebank.campaigns.models import Campaign
from phonebank.config import get_settings
from phonebank.db import create_engine, create_sessionmaker
from phonebank.dialer.pacers import registry
from phonebank.dialer.pacers.power import PowerPacer
from phonebank.dialer.pacers.predictive import PredictivePacer
from phonebank.dialer.pacers.registry import load_pacer, pacer_names, register_pacer
from phonebank.errors import Invalid
from phonebank.migrations import runner
from phonebank.organizations.models import Organization
from tests.conftest import Tenant

URL = "/api/v1/campaigns"


class SteadyPacer(PowerPacer):
    """An operator's pacer, for the registry."""


@pytest.mark.parametrize(
    "pacer",
    [
        "this:Zen",  # importing it runs code
        "venv.__main__:X",  # importing it made the server exit
        "unittest.__main__:X",
        "phonebank.dialer.pacers.predictive:PredictivePacer",  # even a real one, by path
        "no-such-pacer",
    ],
)
async def test_a_pacer_outside_the_registry_is_400_and_never_imported(
    client: httpx.AsyncClient, tenant: Tenant, pacer: str
) -> None:
    module = pacer.partition(":")[0]
    was_loaded = module in sys.modules
    created = await client.post(URL, json={"name": "P", "pacer": pacer}, headers=tenant.headers)
    assert created.status_code == 400, created.text
    assert created.json()["field"] == "pacer"
    ok = await client.post(URL, json={"name": "Q"}, headers=tenant.headers)
    updated = await client.patch(
        f"{URL}/{ok.json()['id']}", json={"pacer": pacer}, headers=tenant.headers
    )
    assert updated.status_code == 400, updated.text
    assert updated.json()["field"] == "pacer"
    assert (module in sys.modules) == was_loaded


async def test_registered_names_are_accepted(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "_registered", {})  # this test's registrations end with it
    register_pacer("steady-test", SteadyPacer)
    for name in ("predictive", "power", "preview", "steady-test"):
        created = await client.post(URL, json={"name": name, "pacer": name}, headers=tenant.headers)
        assert created.status_code == 201, created.text
        assert created.json()["pacer"] == name
    assert isinstance(load_pacer("steady-test"), SteadyPacer)


def test_the_operator_registers_pacers_by_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"{__name__}:SteadyPacer"
    monkeypatch.setattr(get_settings(), "pacers", {"steady-setting": path})
    assert "steady-setting" in pacer_names()
    assert isinstance(load_pacer("steady-setting"), SteadyPacer)
    # A built-in name always means the built-in pacer, whatever is registered under it.
    monkeypatch.setattr(get_settings(), "pacers", {"predictive": path})
    assert type(load_pacer("predictive")) is PredictivePacer
    with pytest.raises(Invalid):
        load_pacer("tests.security.test_pacers:SteadyPacer")


async def test_the_migration_names_stored_built_in_paths() -> None:
    """Campaigns that stored a built-in pacer's dotted path get its name; others keep theirs."""
    # A scratch database migrated to just before the step, given old rows, then upgraded.
    scratch = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        await runner.upgrade(scratch, revision="0009_skipped_attempt_outcome")
        async with create_sessionmaker(scratch)() as session, session.begin():
            organization = Organization(name="Old", default_time_zone="UTC")
            session.add(organization)
            await session.flush()
            for pacer in ("phonebank.dialer.pacers.predictive:PredictivePacer", "other.mod:Custom"):
                session.add(
                    Campaign(
                        organization_id=organization.id, name=pacer, time_zone="UTC", pacer=pacer
                    )
                )
        await runner.upgrade(scratch)
        async with scratch.connect() as connection:
            stored = (
                await connection.execute(text("SELECT pacer FROM campaigns ORDER BY name"))
            ).scalars()
            assert list(stored) == ["other.mod:Custom", "predictive"]
    finally:
        await scratch.dispose()
