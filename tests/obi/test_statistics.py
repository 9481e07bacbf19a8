"""OBI figures after a simulated campaign ran across UTC midnight on the real engine.

Customers are added and the campaign started through OBI; the dialer engine then plays half an
hour on a virtual clock with the simulated carrier and three callers. Every figure OBI reports
is checked against the attempts and caller-session spans the run stored.
"""

import random
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from phonebank.callers.models import CallerSession, CallerSessionSpan
from phonebank.callers.sessions import start_session
from phonebank.calls.models import Attempt, Result
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.live import Agent, SilentNotifier
from tests.calling.conftest import DeskMaker
from tests.conftest import Tenant
from tests.obi.conftest import JSON, Obi

# 23:45 UTC is 17:45 in Chicago: inside calling hours, and the run crosses UTC midnight.
START = datetime(2026, 3, 3, 23, 45, tzinfo=UTC)
RUN = timedelta(minutes=30)
DAYS = (date(2026, 3, 3), date(2026, 3, 4))
TIME_FIELDS = {
    "pauseTime": "paused",
    "waitTime": "available",
    "previewTime": "previewing",
    "callTime": "dialing",
    "talkingTime": "connected",
    "wrapTime": "wrap_up",
}


class Callers(SilentNotifier):
    """Callers who talk until the contact hangs up, wrap up, and save a result: a refusal for
    every third contact, a success otherwise."""

    def __init__(self, dialer: CampaignDialer) -> None:
        self.dialer = dialer
        self.rng = random.Random(3)
        self.saved = 0

    async def previewing(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Not used in power mode."""

    async def connected(self, agent: Agent, call_id: uuid.UUID) -> None:
        """The contact decides when the call ends."""

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Wrap up, then save the result."""
        self.saved += 1
        disposition = "not interested" if self.saved % 3 == 0 else "Offer accepted"
        wrap = self.rng.uniform(5, 30)
        self.dialer.clock.call_later(
            wrap, partial(self.dialer.submit, agent.session_id, disposition)
        )


async def _run_campaign(obi: Obi, connection: AsyncConnection, tenant: Tenant) -> list[uuid.UUID]:
    """Fill and start the campaign through OBI, run the engine, return the callers' ids."""
    # Due before the virtual run starts (a new customer is otherwise due at its creation).
    customers = [
        {"numbers": f"+1312234{n:04d}", "externalId": f"c{n}", "date": "2026-03-03T00:00:00Z"}
        for n in range(300)
    ]
    response = await obi.send("POST", f"/campaigns/{obi.campaign_id}/customers/list", customers)
    assert [item["statusCode"] for item in response.json()] == [201] * 300
    put = {"name": "Test Campaign", "dialingMode": "PROGRESSIVE", "queueId": obi.queue_id}
    assert (await obi.send("PUT", f"/campaigns/{obi.campaign_id}", put)).status_code == 204
    status = await obi.client.put(
        f"/obi/campaigns/{obi.campaign_id}/status",
        content=b"Active",
        headers=obi.headers({"Content-Type": "text/plain"}),
    )
    assert status.status_code == 204, status.text
    caller_ids = []
    for name in ("Ann", "Bob", "Cyd"):
        created = await obi.client.post(
            "/api/v1/callers", json={"name": name}, headers=tenant.headers
        )
        caller_ids.append(uuid.UUID(created.json()["id"]))

    sessionmaker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    clock = VirtualClock(START)
    config = SimulatedCarrierConfig(
        human_share=0.4, machine_share=0.2, busy_share=0.1, no_answer_share=0.25,
        failed_share=0.05, talk_mean_seconds=60,
    )  # fmt: skip
    campaign_id = uuid.UUID(obi.campaign_id)
    dialer = CampaignDialer(
        sessionmaker=sessionmaker,
        clock=clock,
        carrier=SimulatedCarrier(clock, config, seed=11),
        campaign_id=campaign_id,
        flush_seconds=30.0,
        status_poll_seconds=300.0,
    )
    dialer.notifier = Callers(dialer)
    async with sessionmaker() as session, session.begin():
        sessions = [
            await start_session(
                session,
                organization_id=tenant.organization_id,
                caller_id=caller_id,
                campaign_id=campaign_id,
                now=START,
            )
            for caller_id in caller_ids
        ]
    for caller_session, caller_id in zip(sessions, caller_ids, strict=True):
        dialer.join(caller_session.id, caller_id)
    await dialer.start()

    async def pause(paused: bool) -> None:
        dialer.pause(sessions[0].id, paused)

    async def log_out() -> None:
        dialer.leave(sessions[2].id)

    # One caller pauses (once free) and another logs out early, as people do.
    for seconds in range(300, 400, 5):
        clock.call_later(seconds, partial(pause, True))
    clock.call_later(420, partial(pause, False))
    clock.call_later(1500, log_out)
    await clock.run(until=START + RUN)
    await dialer.stop()
    return caller_ids


def _clip(started: datetime, ended: datetime, day: date) -> float:
    low = max(started, datetime(day.year, day.month, day.day, tzinfo=UTC))
    high = min(ended, datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1))
    return max(0.0, (high - low).total_seconds())


async def _expected(session: AsyncSession, campaign_id: uuid.UUID) -> dict[Any, Counter[str]]:
    """What OBI should say per (day, agent id32 or None), counted straight from the record."""
    expected: dict[Any, Counter[str]] = defaultdict(Counter)
    results = {
        result.attempt_id: result.disposition
        for result in await session.scalars(select(Result).where(Result.campaign_id == campaign_id))
    }
    attempts = (
        await session.scalars(select(Attempt).where(Attempt.campaign_id == campaign_id))
    ).all()
    for attempt in attempts:
        assert attempt.outcome is not None, "the stopped dialer left no dial open"
        agent = attempt.caller_id.hex.upper() if attempt.caller_id else None
        figures = expected[(attempt.attempted_at.date(), agent)]
        figures["numberOfCalls"] += 1
        disposition = results.get(attempt.id)
        if attempt.outcome == "human" and disposition is not None:
            figures["numberOfSuccessfulCalls"] += 1
            figures["numberOfHandledCustomers"] += 1
            figures["numberOfRefusalCalls"] += disposition == "not interested"
        figures["numberOfHangupCalls"] += attempt.outcome == "human" and disposition is None
        figures["numberOfAbandonedCalls"] += attempt.outcome == "abandoned"
        figures["numberOfNotDialedCalls"] += attempt.outcome in {"not_dialed", "failed"}
    rows = await session.execute(
        select(CallerSession.caller_id, CallerSessionSpan)
        .join(CallerSessionSpan, CallerSessionSpan.session_id == CallerSession.id)
        .where(CallerSession.campaign_id == campaign_id)
    )
    for caller_id, span in rows:
        assert span.ended_at is not None
        for day in DAYS:
            seconds = _clip(span.started_at, span.ended_at, day)
            if seconds:
                figures = expected[(day, caller_id.hex.upper())]
                figures["loginTime"] += seconds  # type: ignore[assignment]
                for name, state in TIME_FIELDS.items():
                    if span.state == state:
                        figures[name] += seconds  # type: ignore[assignment]
    return expected


async def _logouts_with_contact(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    """Sessions whose last state, when they ended, was one with a contact."""
    count = 0
    for caller_session in await session.scalars(
        select(CallerSession).where(CallerSession.campaign_id == campaign_id)
    ):
        assert caller_session.state == "ended"
        spans = (
            await session.scalars(
                select(CallerSessionSpan)
                .where(CallerSessionSpan.session_id == caller_session.id)
                .order_by(CallerSessionSpan.ended_at)
            )
        ).all()
        count += spans[-1].state in {"previewing", "dialing", "connected", "wrap_up"}
    return count


async def _statistics(obi: Obi, day: date) -> list[dict[str, Any]]:
    moment = f"{day.isoformat()}T00:00:00.000Z"
    response = await obi.get("/statistics", startDate=moment, endDate=moment)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def test_statistics_agree_with_attempts_and_ledgers_per_day_and_agent(
    obi: Obi,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    session: AsyncSession,
    tenant: Tenant,
) -> None:
    caller_ids = await _run_campaign(obi, connection, tenant)
    campaign_id = uuid.UUID(obi.campaign_id)
    expected = await _expected(session, campaign_id)
    assert {day for day, _ in expected} == set(DAYS), "the run crosses midnight"
    names = dict(zip([c.hex.upper() for c in caller_ids], ("Ann", "Bob", "Cyd"), strict=True))

    totals: Counter[str] = Counter()
    for day in DAYS:
        items = await _statistics(obi, day)
        assert {item["agentId"] for item in items} == {
            agent for (when, agent) in expected if when == day
        }
        for item in items:
            assert item["campaignId"] == obi.campaign_id
            assert item["campaignName"] == "Test Campaign"
            assert item["agentName"] == names.get(item["agentId"])
            want = expected[(day, item["agentId"])]
            for name in (
                "numberOfCalls", "numberOfSuccessfulCalls", "numberOfRefusalCalls",
                "numberOfHangupCalls", "numberOfAbandonedCalls", "numberOfNotDialedCalls",
                "numberOfHandledCustomers",
            ):  # fmt: skip
                assert item[name] == want[name], (day, item["agentId"], name)
            for name in ("loginTime", *TIME_FIELDS):
                assert item[name] == pytest.approx(want[name], abs=1e-3), (day, name)
            totals.update({name: item[name] for name in ("numberOfCalls", "talkingTime")})
    # The agents' figures add up to the campaign's own, per day and in total.
    assert totals["numberOfCalls"] > 100 and totals["talkingTime"] > 600
    for day in DAYS:
        response = await obi.get(
            "/campaigns", statistics="true", statisticsDate=f"{day.isoformat()}T00:00:00Z"
        )
        [campaign] = response.json()
        assert "total" not in campaign["stats"]
        daily = campaign["stats"]["daily"]
        day_items = await _statistics(obi, day)
        assert daily["numberOfCalls"] == sum(item["numberOfCalls"] for item in day_items)
        assert daily["numberOfAgents"] == len([i for i in day_items if i["agentId"]])
    [campaign] = (await obi.get("/campaigns", statistics="true")).json()
    assert campaign["stats"]["total"]["numberOfCalls"] == totals["numberOfCalls"]
    assert campaign["stats"]["total"]["talkingTime"] == pytest.approx(totals["talkingTime"])
    assert campaign["stats"]["total"]["numberOfAgents"] == 3
    assert campaign["stats"]["total"]["numberOfCustomers"] == 300
    # Logouts while busy with a contact: each session's last state before it ended.
    logouts = 0
    for day in DAYS:
        logouts += sum(item["numberOfOperLogoutCalls"] for item in await _statistics(obi, day))
    assert logouts == await _logouts_with_contact(session, campaign_id)

    # One agent only, and one campaign only, by id32 and by GUID.
    ann = caller_ids[0]
    only_ann = await obi.get(
        "/statistics", agentId=str(ann), startDate="2026-03-03T00:00:00Z",
        endDate="2026-03-04T00:00:00Z",
    )  # fmt: skip
    [ann_item] = only_ann.json()
    assert ann_item["numberOfCalls"] == sum(
        want["numberOfCalls"] for (_, agent), want in expected.items() if agent == ann.hex.upper()
    )
    by_campaign = await obi.get("/statistics", campaignId=obi.campaign_id)
    assert len(by_campaign.json()) == 4  # three agents and the dialer alone
    with_agent = await obi.get("/campaigns", statistics="true", agentId=ann.hex.upper())
    [campaign] = with_agent.json()
    assert campaign["stats"]["total"]["numberOfAgents"] == 1
    assert campaign["stats"]["total"]["numberOfCalls"] == ann_item["numberOfCalls"]
    assert client is obi.client

    # Customer results add up to the customers, and agree with the figures.
    groups = (await obi.get(f"/campaigns/{obi.campaign_id}/customerResultStatistics")).json()
    assert sum(group["count"] for group in groups) == 300
    by_result = Counter()
    for group in groups:
        by_result[group["result"]] += group["count"]
    handled = sum(figures["numberOfHandledCustomers"] for figures in expected.values())
    assert by_result["SUCCESS"] + by_result["REFUSAL"] == handled
    assert campaign["handled"] == handled


async def test_statistics_searches_and_xml(obi: Obi) -> None:
    assert (await obi.get("/statistics")).json() == []
    root = await obi.get("/statistics", xml=True)
    assert root.headers["content-type"].startswith("application/xml")
    assert root.content.endswith(b"<statistics />") or root.content.endswith(b"<statistics/>")
    for params in (
        {"campaignId": obi.campaign_id[:8] + "*"},
        {"agentId": "?" * 32},
        {"startDate": "someday"},
        {"startDate": "2020-07-29T00:00:00Z", "endDate": "2020-06-29T00:00:00Z"},
        {"campaignName": "Test*"},
    ):
        assert (await obi.get("/statistics", **params)).status_code == 400, params


async def test_a_callers_preview_skip_counts_in_number_of_skip_calls(make_desk: DeskMaker) -> None:
    desk = await make_desk("preview")
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.run(1)
    skipped = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/preview/skip", headers=csrf
    )
    assert skipped.status_code == 200
    await desk.dialer.store.flush(campaign=desk.dialer.campaign, now=desk.clock.now())

    headers = {**desk.tenant.headers, **JSON}
    campaign_id = desk.campaign.id.hex.upper()
    response = await desk.client.get(
        "/obi/statistics",
        params={"campaignId": campaign_id, "startDate": "2026-03-03T00:00:00Z"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    [item] = response.json()
    assert item["agentId"] == desk.caller.id.hex.upper()
    assert (item["numberOfSkipCalls"], item["numberOfNotDialedCalls"]) == (1, 0)
    assert (item["numberOfCalls"], item["numberOfSuccessfulCalls"]) == (1, 0)
    listed = await desk.client.get("/obi/campaigns", params={"statistics": "true"}, headers=headers)
    [campaign] = [item for item in listed.json() if item["id"] == campaign_id]
    assert campaign["stats"]["total"]["numberOfSkipCalls"] == 1
    # The skipped customer waits for its next turn: its last attempt reads SKIP.
    groups = await desk.client.get(
        f"/obi/campaigns/{campaign_id}/customerResultStatistics", headers=headers
    )
    results = {(g["result"], g.get("callResult"), g["count"]) for g in groups.json()}
    assert ("SKIP", "SKIP", 1) in results


@pytest.mark.parametrize("face", ["native", "tapraise"])
async def test_a_call_completed_through_a_calls_api_counts_alike_everywhere(
    obi: Obi, client: httpx.AsyncClient, tenant: Tenant, face: str
) -> None:
    """Customer, campaign and statistics read the same record, whichever face wrote it."""
    customer = await obi.add_customer({"numbers": "+13122345678", "externalId": face})
    call_id = uuid.UUID(customer)
    if face == "native":
        steps = [
            ("POST", f"/api/v1/calls/{call_id}/attempts", {"outcome": "human"}),
            ("POST", f"/api/v1/calls/{call_id}/complete", {"result": {"vote": "yes"}}),
        ]
    else:
        steps = [
            ("PUT", f"/tapraise/api/v1/calls/{call_id}/attempts", {}),
            ("PUT", f"/tapraise/api/v1/calls/{call_id}/complete", {"result": "pledged"}),
        ]
    for method, path, body in steps:
        response = await client.request(method, path, json=body, headers=tenant.headers)
        assert response.status_code in (200, 201), response.text

    shown = (await obi.get(f"/campaigns/{obi.campaign_id}/customers/{customer}")).json()
    assert shown["result"] == "SUCCESS"
    campaign = (await obi.get(f"/campaigns/{obi.campaign_id}")).json()
    assert campaign["handled"] == 1
    [row] = await _statistics(obi, datetime.now(UTC).date())
    assert row["numberOfHandledCustomers"] == 1
    assert (row["numberOfCalls"], row["numberOfSuccessfulCalls"]) == (1, 1)
    assert row["numberOfHangupCalls"] == 0
