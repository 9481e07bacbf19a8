"""Time for the dialer: one scheduler interface, driven by the wall clock or a virtual one.

Everything time-based in the dialer (ring timeouts, the 2-second abandon rule, pacing ticks,
simulated carriers and callers) schedules work on a Clock instead of sleeping, so the same code
runs live and in a simulation that plays an 8-hour day in seconds.
"""

import asyncio
import contextlib
import heapq
import itertools
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

Job = Callable[[], Awaitable[None]]

logger = logging.getLogger("phonebank.dialer")


class TimerHandle:
    """A scheduled job; `cancel()` keeps it from running."""

    # Plain slots, not a dataclass: a simulated day creates hundreds of thousands of these.
    __slots__ = ("cancelled", "job", "order", "when")

    def __init__(self, when: datetime, order: int, job: Job) -> None:
        self.when = when
        self.order = order
        self.job = job
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run this job."""
        self.cancelled = True


class Clock(ABC):
    """A source of `now` and a scheduler of jobs at future times."""

    def __init__(self) -> None:
        # (when, order, handle): tuples compare in C, which keeps big simulations fast.
        self._timers: list[tuple[datetime, int, TimerHandle]] = []
        self._order = itertools.count()

    @abstractmethod
    def now(self) -> datetime:
        """The current time (timezone-aware UTC)."""

    def call_at(self, when: datetime, job: Job) -> TimerHandle:
        """Run `job` at `when` (at once if that has passed)."""
        order = next(self._order)
        handle = TimerHandle(when, order, job)
        heapq.heappush(self._timers, (when, order, handle))
        self._wake()
        return handle

    def call_later(self, seconds: float, job: Job) -> TimerHandle:
        """Run `job` after `seconds`."""
        return self.call_at(self.now() + timedelta(seconds=seconds if seconds > 0 else 0.0), job)

    def _wake(self) -> None:  # noqa: B027 (a hook; most clocks need nothing here)
        """Hook for clocks that wait: a new timer may be due sooner than the one awaited."""

    def _pop_due(self, until: datetime) -> TimerHandle | None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        if self._timers and self._timers[0][0] <= until:
            return heapq.heappop(self._timers)[2]
        return None

    def next_timer(self) -> datetime | None:
        """When the earliest pending job is due."""
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0][0] if self._timers else None

    @abstractmethod
    async def run(self, until: datetime | None = None) -> None:
        """Run jobs in time order until `until` (or, for a virtual clock, none are left)."""


class VirtualClock(Clock):
    """Simulated time: jumps straight to the next job, so hours pass in seconds."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The simulated time."""
        return self._now

    async def run(self, until: datetime | None = None) -> None:
        """Run every job due up to `until`, advancing the simulated time job by job."""
        limit = until or datetime.max.replace(tzinfo=UTC)
        timers, pop = self._timers, heapq.heappop
        # The loop of `_pop_due`, inlined: it runs once per simulated event.
        while timers:
            when, _, handle = timers[0]
            if handle.cancelled:
                pop(timers)
                continue
            if when > limit:
                break
            pop(timers)
            if when > self._now:
                self._now = when
            await handle.job()
        if until is not None:
            self._now = max(self._now, until)


class RealClock(Clock):
    """Wall-clock time: waits for each job's moment."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = asyncio.Event()

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def _wake(self) -> None:
        self._changed.set()

    async def run(self, until: datetime | None = None) -> None:
        """Run jobs at their times until `until` (forever when None)."""
        while until is None or self.now() < until:
            self._changed.clear()
            handle = self._pop_due(self.now())
            if handle is not None:
                try:
                    await handle.job()
                except Exception:
                    # One failed job must not stop every other timer of the process (discovery,
                    # lease renewal, other campaigns' engines); it is logged for the operator.
                    logger.exception("a timed dialer job failed")
                continue
            due = self.next_timer()
            wait = 1.0 if due is None else (due - self.now()).total_seconds()
            if until is not None:
                wait = min(wait, (until - self.now()).total_seconds())
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout=wait)
