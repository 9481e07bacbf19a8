"""Campaign leases: one holder at a time, taken over when expired, fencing a dialer that lost it."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from phonebank.calls.models import Attempt, Call
from phonebank.campaigns.models import Campaign
from phonebank.dialer import leases
from phonebank.dialer.leases import LEASE_SECONDS, Lease, LeaseLost
from phonebank.dialer.models import DialerLease
from phonebank.dialer.service import DialerService
from phonebank.people.models import Person
from tests.dialer.conftest import ScriptedCarrier, World, number


async def _acquire(world: World, owner: str, seconds: float = 0) -> Lease | None:
    async with world.sessionmaker() as session, session.begin():
        return await leases.acquire(
            session, campaign_id=world.campaign_id, owner=owner, now=world.at(seconds)
        )


async def test_a_lease_has_one_holder_until_it_expires(world: World) -> None:
    first = await _acquire(world, "first")
    assert first is not None and first.token == 1
    assert await _acquire(world, "second", seconds=LEASE_SECONDS - 1) is None
    # Its own holder may take it again (a restarted engine in the same process).
    again = await _acquire(world, "first", seconds=1)
    assert again is not None and again.token == 2

    taken = await _acquire(world, "second", seconds=1 + LEASE_SECONDS + 0.1)
    assert taken is not None and taken.token == 3
    async with world.sessionmaker() as session:
        holder = await leases.holder(
            session, campaign_id=world.campaign_id, now=world.at(LEASE_SECONDS + 2)
        )
    assert holder == "second"


async def test_a_dialer_that_lost_its_lease_can_neither_write_nor_renew_nor_release(
    world: World,
) -> None:
    old = await _acquire(world, "old")
    assert old is not None
    new = await _acquire(world, "new", seconds=LEASE_SECONDS + 1)
    assert new is not None
    async with world.sessionmaker() as session, session.begin():
        with pytest.raises(LeaseLost):
            await leases.hold(session, lease=old, now=world.at(LEASE_SECONDS + 2), margin=False)
        assert await leases.renew(session, owner="old", now=world.at(LEASE_SECONDS + 2)) == {}
        await leases.release(session, lease=old)
    assert old.lost and not old.may_dial(world.at(LEASE_SECONDS + 2))
    async with world.sessionmaker() as session:
        assert await session.scalar(select(DialerLease.owner)) == "new"


async def test_a_holder_stops_dialing_when_a_renewal_is_overdue(world: World) -> None:
    lease = await _acquire(world, "me")
    assert lease is not None
    assert lease.may_dial(world.at(leases.RENEW_SECONDS + 1))  # one renewal late: dials go on
    assert not lease.may_dial(world.at(LEASE_SECONDS - leases.DIAL_MARGIN_SECONDS))
    async with world.sessionmaker() as session, session.begin():
        renewed = await leases.renew(session, owner="me", now=world.at(3))
    assert renewed == {world.campaign_id: lease.token}


async def test_an_engine_that_lost_its_lease_places_no_dial_and_writes_nothing(
    world: World,
) -> None:
    lease = await _acquire(world, "old")
    assert lease is not None
    engine = world.dialer(lease=lease)
    await world.log_in(engine)
    await world.add_calls(2)
    await world.start(engine)
    assert world.carrier.numbers == [number(100)]
    # Another dialer takes the campaign (the old one was stalled past its lease).
    await world.run(LEASE_SECONDS + 1)
    assert await _acquire(world, "new", seconds=LEASE_SECONDS + 1.5) is not None
    await world.carrier.send(world.carrier.id_for(number(100)), "completed", cause="no_answer")
    await world.run(5)
    assert not engine.running and engine.abandoned
    assert world.carrier.numbers == [number(100)]  # no dial after the lease was gone
    async with world.sessionmaker() as session:
        outcomes = list(await session.scalars(select(Attempt.outcome)))
    assert outcomes and set(outcomes) == {None}  # left for the new holder to settle


async def test_an_engine_whose_renewal_is_overdue_dials_nothing_until_renewed(
    world: World,
) -> None:
    lease = await _acquire(world, "me")
    assert lease is not None
    engine = world.dialer(lease=lease)
    await world.log_in(engine)
    await world.add_calls(3)
    await world.start(engine)
    assert world.carrier.numbers == [number(100)]
    await world.run(LEASE_SECONDS - leases.DIAL_MARGIN_SECONDS)  # no renewal meanwhile
    await world.carrier.send(world.carrier.id_for(number(100)), "completed", cause="no_answer")
    await world.run(1.5)
    assert world.carrier.numbers == [number(100)] and engine.running

    async with world.sessionmaker() as session, session.begin():
        renewed = await leases.renew(session, owner="me", now=world.clock.now())
    lease.expires_at = world.clock.now() + timedelta(seconds=LEASE_SECONDS)
    assert renewed == {world.campaign_id: lease.token}
    await world.run(1.5)
    assert len(world.carrier.numbers) == 2 and engine.running


async def test_a_takeover_settles_the_dead_holders_dials_of_that_campaign_only(
    world: World,
) -> None:
    dead = await _acquire(world, "dead")
    assert dead is not None
    crashed = world.dialer(lease=dead)
    await world.log_in(crashed)
    (call_id,) = await world.add_calls(1)
    await world.start(crashed)
    crashed.running = False  # the process dies: nothing more runs or is written
    other_attempt = await _open_dial_elsewhere(world)

    service = DialerService(world.sessionmaker, clock=world.clock)
    service.carrier_factory = lambda _clock: ScriptedCarrier(world.clock)
    world.clock.call_later(0, service._discover)
    await world.run(2)
    assert service.dialer_for(world.campaign_id) is None  # the lease is still the dead one's
    await world.run(LEASE_SECONDS)
    taken = service.dialer_for(world.campaign_id)
    assert taken is not None and taken.lease is not None and taken.lease.owner == service.owner
    attempts = await world.attempts(call_id)
    assert (attempts[0].outcome, attempts[0].cause) == ("failed", "interrupted")
    # Another campaign's open dial, whose holder is alive, is not touched.
    async with world.sessionmaker() as session:
        assert await session.get(Attempt, other_attempt) is not None
        assert (await session.get_one(Attempt, other_attempt)).outcome is None
    # The caller's open session is taken back by the new holder.
    assert len(taken.agents) == 1
    await service.stop()
    async with world.sessionmaker() as session:
        owners = set(await session.scalars(select(DialerLease.owner)))
    assert owners == {"alive"}  # its own was released


async def _open_dial_elsewhere(world: World) -> uuid.UUID:
    """A dial in flight in another started campaign, whose (alive) holder is another process."""
    async with world.sessionmaker() as session, session.begin():
        other = Campaign(organization_id=world.organization_id, name="other", status="started")
        person = Person(organization_id=world.organization_id, given_name="Other")
        session.add_all([other, person])
        await session.flush()
        call = Call(
            organization_id=world.organization_id,
            campaign_id=other.id,
            person_id=person.id,
            numbers=[number(900)],
            next_number=number(900),
            next_call_at=world.at(-60),
            dialing_since=world.at(0),
            attempts_count=1,
        )
        session.add(call)
        await session.flush()
        attempt = Attempt(
            call_id=call.id, campaign_id=other.id, attempted_at=world.at(0), number=number(900)
        )
        session.add(attempt)
        session.add(
            DialerLease(
                campaign_id=other.id,
                owner="alive",
                token=1,
                acquired_at=world.at(0),
                heartbeat=world.at(0),
                expires_at=world.at(3600),
            )
        )
        await session.flush()
        return attempt.id
