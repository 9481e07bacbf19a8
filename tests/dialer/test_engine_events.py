"""What the engine's batched writes put in the webhook outbox, in the same transactions."""

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.service import create_subscription
from tests.dialer.conftest import World, number


async def _payloads(world: World) -> list[dict[str, Any]]:
    async with world.sessionmaker() as session:
        rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
        return [row.payload for row in rows]


async def _subscribe(world: World, events: list[str]) -> None:
    async with world.sessionmaker() as session, session.begin():
        await create_subscription(
            session, organization_id=world.organization_id, url="https://example.org/h",
            events=events,
        )  # fmt: skip


async def test_a_dial_reports_each_state_change_and_its_attempt_and_result(world: World) -> None:
    await _subscribe(world, ["call.*", "attempt.*", "result.*", "caller_session.*"])
    dialer = world.dialer()
    agent = await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    dial = world.carrier.id_for(number(1))
    await world.run(1)
    await world.carrier.send(dial, "ringing")
    await world.run(2)
    await world.carrier.send(dial, "answered", answered_by="human")
    await world.run(30)
    await world.carrier.send(dial, "completed", cause="completed")
    await world.run(3)
    await dialer.submit(agent, "completed")
    await world.flush(dialer)
    dialer.leave(agent)
    await world.flush(dialer)

    payloads = await _payloads(world)
    states = [p["data"]["state"] for p in payloads if p["type"] == "call.state_changed"]
    assert states == ["dialing", "ringing", "answered", "connected", "ended"]
    by_type = {p["type"]: p for p in payloads}
    ended = next(p for p in payloads if p["data"].get("state") == "ended")["data"]
    assert ended["outcome"] == "human" and ended["number"] == number(1)
    assert ended["call_id"] == str(call_id)
    assert datetime.fromisoformat(ended["at"]) == world.at(33)
    attempt = by_type["attempt.completed"]["data"]
    assert attempt["outcome"] == "human" and datetime.fromisoformat(
        attempt["ended_at"]
    ) == world.at(33)
    result = by_type["result.created"]["data"]
    assert result["disposition"] == "completed" and result["call_status"] == "completed"
    change = by_type["call.status_changed"]["data"]
    assert (change["from"], change["to"]) == ("requested", "completed")
    sessions = [p["type"] for p in payloads if p["type"].startswith("caller_session")]
    assert sessions == ["caller_session.started", "caller_session.ended"]
    assert len({p["id"] for p in payloads}) == len(payloads)


async def test_many_outcomes_are_written_with_one_insert(world: World) -> None:
    await _subscribe(world, ["call.state_changed"])
    dialer = world.dialer()
    for _ in range(3):
        await world.log_in(dialer)
    await world.add_calls(3)
    await world.start(dialer)
    for n in range(3):
        await world.carrier.send(world.carrier.id_for(number(100 + n)), "ringing")
        await world.carrier.send(world.carrier.id_for(number(100 + n)), "completed", cause="busy")

    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO webhook_deliveries"):
            inserts.append(statement)

    async with world.sessionmaker() as session:
        engine = _engine(session)
    event.listen(engine, "before_cursor_execute", count)
    try:
        await world.flush(dialer)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    payloads = await _payloads(world)
    ended = [p for p in payloads if p["data"]["state"] == "ended"]
    assert len(ended) == 3 and {p["data"]["outcome"] for p in ended} == {"busy"}
    assert len(inserts) == 1


def _engine(session: AsyncSession) -> Any:
    bind = session.get_bind()
    return bind.engine if hasattr(bind, "engine") else bind


async def test_an_organization_without_subscriptions_writes_no_deliveries(world: World) -> None:
    dialer = world.dialer()
    await world.log_in(dialer)
    await world.add_call(number(1))
    await world.start(dialer)
    await world.carrier.send(world.carrier.id_for(number(1)), "completed", cause="no_answer")
    await world.flush(dialer)
    assert await _payloads(world) == []
