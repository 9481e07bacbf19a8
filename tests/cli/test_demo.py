"""The demo data of `phonebank serve --demo`, and the server it starts."""

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.service import verify_caller_password
from phonebank.calls.models import Call
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.campaigns.models import Campaign
from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD, DEMO_PEOPLE, seed_demo
from phonebank.lists.models import ListItem
from phonebank.people.models import Person


async def test_seed_is_complete_and_idempotent(session: AsyncSession) -> None:
    first = await seed_demo(session)
    assert first.created and first.api_key.startswith("pb_")
    people = await session.scalar(select(func.count()).select_from(Person))
    assert people == DEMO_PEOPLE
    campaign = await session.scalar(select(Campaign).where(Campaign.name == "Demo campaign"))
    assert campaign is not None and campaign.status == "started"
    assert campaign.script_id and campaign.target_list_id and campaign.caller_group_id
    members = await session.scalar(
        select(func.count()).where(ListItem.list_id == campaign.target_list_id)
    )
    assert members == DEMO_PEOPLE
    calls = await session.scalar(select(func.count()).where(Call.campaign_id == campaign.id))
    assert calls == DEMO_PEOPLE
    caller = await verify_caller_password(
        session,
        organization_id=campaign.organization_id,
        email=DEMO_CALLER_EMAIL,
        password=DEMO_CALLER_PASSWORD,
    )
    assert caller is not None
    second = await seed_demo(session)
    assert not second.created and second.organization_id == first.organization_id
    assert second.api_key != first.api_key
    assert await session.scalar(select(func.count()).select_from(Person)) == DEMO_PEOPLE


async def test_some_demo_people_may_be_called_at_every_hour_of_the_year(
    session: AsyncSession,
) -> None:
    """`serve --demo` has people to call whenever it is started, wherever its user is."""
    await seed_demo(session)
    campaign = await session.scalar(select(Campaign).where(Campaign.name == "Demo campaign"))
    assert campaign is not None
    zones = Counter((await session.scalars(select(Call.time_zone))).all())
    hours = allowed_hours(campaign.daily_start_hour, campaign.daily_stop_hour)
    moment, fewest = datetime(2026, 1, 1, tzinfo=UTC), DEMO_PEOPLE
    while moment.year == 2026:  # both sides of every daylight-saving change
        callable_now = sum(
            count
            for zone, count in zones.items()
            if inside_calling_hours(zone, moment, hours=hours, fallback_zone=campaign.time_zone)
        )
        fewest = min(fewest, callable_now)
        moment += timedelta(hours=1)
    assert fewest >= 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_demo_answers_with_the_printed_key(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PHONEBANK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "COLUMNS": "300",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "phonebank.cli.main", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        output = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise AssertionError("server did not come up")
        assert server.stdout is not None
        while "Health:" not in output:
            output += server.stdout.readline()
        key = re.search(r"pb_[0-9a-f]+_[A-Za-z0-9-]+", output)
        assert key, output
        headers = {"Authorization": f"Bearer {key.group(0)}"}
        campaigns = httpx.get(f"{base}/api/v1/campaigns", headers=headers, timeout=5).json()
        assert [c["name"] for c in campaigns["items"]] == ["Demo campaign"]
        people = httpx.get(f"{base}/api/v1/people", headers=headers, timeout=5).json()
        assert people["total"] == DEMO_PEOPLE
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
