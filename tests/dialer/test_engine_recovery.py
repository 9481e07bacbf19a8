"""A dialer that died mid-dial leaves nothing half-dialed once the campaign's dialer restarts."""

from phonebank.calls.models import Attempt
from tests.dialer.conftest import World, number


async def test_restart_settles_dials_a_crashed_dialer_left_open(world: World) -> None:
    first = world.dialer()
    await world.log_in(first)
    (call_id,) = await world.add_calls(1)
    await world.start(first)
    assert world.carrier.numbers == [number(100)]
    # The process dies here: the claim and its attempt were committed, the outcome never was.
    crashed = await world.call(call_id)
    assert crashed.dialing_since is not None and crashed.attempts_count == 1

    second = world.dialer()
    await second.start()

    attempts = await world.attempts(call_id)
    assert [(a.outcome, a.cause) for a in attempts] == [("failed", "interrupted")]
    assert isinstance(attempts[0], Attempt) and attempts[0].ended_at is not None
    call = await world.call(call_id)
    assert call.dialing_since is None and call.status == "requested"
    assert call.attempts_count == 1
    # Rescheduled by the retry policy for failures, not dialed again at once.
    assert call.next_call_at > world.clock.now()
