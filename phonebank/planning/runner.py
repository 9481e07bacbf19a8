"""Plans run in processes of their own, a few at a time, each within a time limit.

The simulator is CPU-bound Python: in the server's process it would hold the interpreter and
stall every request. Each mode of a plan is played in a process forked from a server process
that has the simulator imported already (so a plan does not pay for the imports), and killed
if it outlives the limit. A process runs only so many plans at once; more are refused (429),
and an organization runs one plan at a time, so one organization's plans cannot take every
core from the others.
"""

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any

from phonebank.dialer.simulation import Scenario, migrated_schema, run_simulation
from phonebank.errors import Unavailable
from phonebank.kit.ratelimit import TooManyRequests

logger = logging.getLogger(__name__)
# Wall time kept for measuring a day after its simulation stops at the deadline.
MEASURE_SECONDS = 1.5
# How long past the limit a process may take to answer before it is killed.
KILL_GRACE_SECONDS = 10.0
RETRY_AFTER_SECONDS = 5
# How long the first plan of a process may take to start the fork server and migrate.
SCHEMA_SECONDS = 120.0


def _play(connection: Connection, job: dict[str, Any]) -> None:
    """In the child: play one mode and send its result (or the error) back."""
    try:
        result = asyncio.run(
            run_simulation(
                job["scenario"],
                mode=job["mode"],
                abandon_target=job["abandon_target"],
                seed=job["seed"],
                pacer=job["pacer"],
                deadline=time.perf_counter() + job["seconds"],
                schema=job["schema"],
            )
        )
        connection.send(("ok", result.as_json()))
    except Exception as error:  # reported to the parent, which logs it
        connection.send(("error", repr(error)))
    finally:
        connection.close()


def _build_schema(connection: Connection) -> None:
    """In the child: migrate an empty simulation database and send its image back."""
    try:
        connection.send(("ok", asyncio.run(migrated_schema())))
    except Exception as error:  # reported to the parent, which logs it
        connection.send(("error", repr(error)))
    finally:
        connection.close()


_context: ForkServerContext | None = None


def _fork_context() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        assert isinstance(context, ForkServerContext)
        context.set_forkserver_preload(["phonebank.planning.runner"])
        _context = context
    return _context


async def _receive(connection: Connection, seconds: float) -> tuple[str, Any]:
    """Wait for the child's answer on the event loop, without a thread."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    descriptor = connection.fileno()
    loop.add_reader(descriptor, wake)
    try:
        await asyncio.wait_for(ready, seconds)
    finally:
        loop.remove_reader(descriptor)
        # Some event loops (uvloop) leave the descriptor non-blocking.
        os.set_blocking(descriptor, True)
    # The answer may be larger than the pipe holds: read the rest off the loop.
    answer: tuple[str, Any] = await asyncio.to_thread(connection.recv)
    return answer


class Planner:
    """Runs the simulations of plans: at most `max_concurrent` at once in this process, one per
    organization."""

    def __init__(self, *, max_concurrent: int, time_limit_seconds: float) -> None:
        self.max_concurrent = max_concurrent
        self.time_limit_seconds = time_limit_seconds
        self.owners: set[Hashable] = set()
        # The migrated simulation database every run starts from, made by the first plan.
        self.schema: bytes | None = None

    @contextmanager
    def slot(self, owner: Hashable) -> Iterator[None]:
        """Hold one of the process's plan slots for `owner` (an organization), or refuse the
        plan (429) when none is free or the owner's previous plan is still running."""
        if owner in self.owners:
            raise TooManyRequests(
                "a plan of this organization is being simulated; try again when it is done",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if self.running >= self.max_concurrent:
            raise TooManyRequests(
                f"{self.running} plans are being simulated; try again in a few seconds",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.owners.add(owner)
        try:
            yield
        finally:
            self.owners.discard(owner)

    @property
    def running(self) -> int:
        """Plans being simulated now."""
        return len(self.owners)

    async def play(
        self,
        scenario: Scenario,
        *,
        modes: tuple[str, ...],
        abandon_target: float,
        pacers: dict[str, str | None],
        seed: int = 1,
    ) -> dict[str, dict[str, Any]]:
        """Play `scenario` in every mode at once, each in its own process; results by mode."""
        if self.schema is None:
            # Once per process, on top of the first plan's time (with the fork server's start).
            limit = time.monotonic() + SCHEMA_SECONDS
            answers = await self._run({"schema": (_build_schema, ())}, limit)
            self.schema = answers["schema"]
        limit = time.monotonic() + self.time_limit_seconds + KILL_GRACE_SECONDS
        seconds = max(0.5, self.time_limit_seconds - MEASURE_SECONDS)
        jobs = {
            mode: (
                _play,
                (
                    {
                        "scenario": scenario,
                        "mode": mode,
                        "abandon_target": abandon_target,
                        "seed": seed,
                        "pacer": pacers.get(mode),
                        "seconds": seconds,
                        "schema": self.schema,
                    },
                ),
            )
            for mode in modes
        }
        return await self._run(jobs, limit)

    async def _run(
        self, jobs: dict[str, tuple[Callable[..., None], tuple[Any, ...]]], limit: float
    ) -> dict[str, Any]:
        """Run each job in a child process; their answers by name, or Unavailable."""
        context = _fork_context()
        children: list[tuple[str, BaseProcess, Connection]] = []
        try:
            for name, (target, args) in jobs.items():
                receiver, sender = context.Pipe(duplex=False)
                process: BaseProcess = context.Process(
                    target=target, args=(sender, *args), daemon=True
                )
                # In a thread: the first start waits for the fork server to import the simulator.
                await asyncio.to_thread(process.start)
                sender.close()
                children.append((name, process, receiver))
            results: dict[str, Any] = {}
            for name, _process, receiver in children:
                try:
                    status, value = await _receive(receiver, max(0.0, limit - time.monotonic()))
                except (TimeoutError, EOFError, OSError) as error:
                    logger.warning("plan simulation (%s) gave no result: %r", name, error)
                    raise Unavailable(
                        "the simulation did not finish in time; try fewer callers or hours"
                    ) from None
                if status != "ok":
                    logger.error("plan simulation (%s) failed: %s", name, value)
                    raise Unavailable("the simulation failed; the error is in the server's log")
                results[name] = value
            return results
        finally:
            for _mode, process, receiver in children:
                receiver.close()
                if process.is_alive():
                    process.kill()
                # Reap the child in a thread: join can wait a moment after a kill.
                await asyncio.to_thread(process.join, 5)
