"""The virtual and the wall clock: ordering, cancelling and running jobs."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from phonebank.dialer.clock import Clock, Job, RealClock, VirtualClock

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def recorder(clock: Clock, log: list[tuple[str, datetime]], name: str) -> Job:
    """A job that writes down its name and the clock's time when it runs."""

    async def job() -> None:
        log.append((name, clock.now()))

    return job


async def test_virtual_clock_runs_jobs_in_time_order_and_ties_in_scheduling_order() -> None:
    clock = VirtualClock(START)
    log: list[tuple[str, datetime]] = []
    clock.call_later(30, recorder(clock, log, "late"))
    clock.call_later(10, recorder(clock, log, "first-at-10"))
    clock.call_at(START + timedelta(seconds=10), recorder(clock, log, "second-at-10"))
    clock.call_later(5, recorder(clock, log, "early"))

    await clock.run()

    assert log == [
        ("early", START + timedelta(seconds=5)),
        ("first-at-10", START + timedelta(seconds=10)),
        ("second-at-10", START + timedelta(seconds=10)),
        ("late", START + timedelta(seconds=30)),
    ]
    assert clock.now() == START + timedelta(seconds=30)
    assert clock.next_timer() is None


async def test_cancelled_job_does_not_run() -> None:
    clock = VirtualClock(START)
    log: list[tuple[str, datetime]] = []
    handle = clock.call_later(5, recorder(clock, log, "cancelled"))
    clock.call_later(7, recorder(clock, log, "kept"))
    handle.cancel()

    assert clock.next_timer() == START + timedelta(seconds=7)
    await clock.run()

    assert [name for name, _ in log] == ["kept"]


async def test_call_later_is_relative_to_now_and_never_in_the_past() -> None:
    clock = VirtualClock(START)
    log: list[tuple[str, datetime]] = []

    async def chain() -> None:
        log.append(("chain", clock.now()))
        clock.call_later(2.5, recorder(clock, log, "after-chain"))
        clock.call_later(-10, recorder(clock, log, "negative"))

    clock.call_later(4, chain)
    await clock.run()

    assert log == [
        ("chain", START + timedelta(seconds=4)),
        ("negative", START + timedelta(seconds=4)),
        ("after-chain", START + timedelta(seconds=6.5)),
    ]


async def test_job_scheduled_in_the_past_runs_at_once_without_moving_time_back() -> None:
    clock = VirtualClock(START + timedelta(hours=1))
    log: list[tuple[str, datetime]] = []
    clock.call_at(START, recorder(clock, log, "overdue"))

    await clock.run()

    assert log == [("overdue", START + timedelta(hours=1))]


async def test_run_until_stops_there_and_advances_time_to_it() -> None:
    clock = VirtualClock(START)
    log: list[tuple[str, datetime]] = []
    clock.call_later(10, recorder(clock, log, "inside"))
    clock.call_later(60, recorder(clock, log, "after"))

    await clock.run(until=START + timedelta(seconds=30))

    assert log == [("inside", START + timedelta(seconds=10))]
    assert clock.now() == START + timedelta(seconds=30)
    assert clock.next_timer() == START + timedelta(seconds=60)

    await clock.run(until=START + timedelta(seconds=60))
    assert [name for name, _ in log] == ["inside", "after"]
    assert clock.now() == START + timedelta(seconds=60)


async def test_run_until_with_no_jobs_still_advances_time() -> None:
    clock = VirtualClock(START)
    await clock.run(until=START + timedelta(hours=8))
    assert clock.now() == START + timedelta(hours=8)


async def test_virtual_clock_normalizes_the_start_to_utc() -> None:
    local = datetime(2024, 3, 1, 10, 0, tzinfo=UTC).astimezone()
    clock = VirtualClock(local)
    assert clock.now().tzinfo == UTC
    assert clock.now() == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


async def test_real_clock_runs_a_job_scheduled_shortly_ahead_not_before_its_time() -> None:
    clock = RealClock()
    log: list[tuple[str, datetime]] = []
    due = clock.now() + timedelta(seconds=0.05)
    clock.call_at(due, recorder(clock, log, "soon"))
    cancelled = clock.call_later(0.06, recorder(clock, log, "cancelled"))
    cancelled.cancel()

    await clock.run(until=clock.now() + timedelta(seconds=0.3))

    assert [name for name, _ in log] == ["soon"]
    assert log[0][1] >= due
    assert clock.now().tzinfo == UTC


async def test_real_clock_wakes_for_a_job_added_while_it_waits() -> None:
    clock = RealClock()
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    # Nothing is due for a long time, so the clock is asleep when the new job arrives.
    clock.call_later(3600, job)
    runner = asyncio.create_task(clock.run(until=clock.now() + timedelta(seconds=5)))
    await asyncio.sleep(0.02)
    clock.call_later(0.02, job)
    try:
        await asyncio.wait_for(ran.wait(), timeout=2)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    assert ran.is_set()


async def test_a_failing_job_is_logged_and_the_real_clock_runs_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = RealClock()
    log: list[tuple[str, datetime]] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    clock.call_later(0.01, broken)
    clock.call_later(0.03, recorder(clock, log, "after"))

    await clock.run(until=clock.now() + timedelta(seconds=0.2))

    assert [name for name, _ in log] == ["after"]
    assert "a timed dialer job failed" in caplog.text
