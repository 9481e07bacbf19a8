"""Login throttling: wrong passwords and PINs cost more and more waiting, per account and per
client address, in memory or shared through Redis.

Every login (a caller's password or PIN, an organizer's or a supervisor's password, a PIN keyed
in by phone) passes here. An account (an email, or a campaign's access code for PIN logins) may
fail a few times freely; after that each failure doubles the wait before the next try, up to a
cap. An address gets a larger allowance (a call centre shares one), then the same backoff. A
try during a wait is a 429 with `Retry-After`, checked before any password hash is computed;
a success clears the account's failures.
"""

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from redis.asyncio import Redis

from phonebank.campaigns.codes import normalize_access_code
from phonebank.errors import Unauthorized
from phonebank.kit.ratelimit import TooManyRequests
from phonebank.kit.redis import connect

T = TypeVar("T")


@dataclass(frozen=True)
class Allowance:
    """How many failures a kind of key may make before waiting."""

    free_failures: int
    base_seconds: float = 1.0
    cap_seconds: float = 900.0
    # Failures older than this (since the last one) are forgotten.
    forget_seconds: float = 3600.0

    def wait(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row."""
        over = failures - self.free_failures
        if over < 0:
            return 0.0
        return float(min(self.cap_seconds, self.base_seconds * 2.0**over))


ACCOUNT = Allowance(free_failures=5)
ADDRESS = Allowance(free_failures=20)


@dataclass(frozen=True)
class Key:
    """What a login attempt is counted against."""

    name: str
    allowance: Allowance


def login_keys(*, email: str | None, access_code: str | None, address: str) -> list[Key]:
    """What a login is counted against: its client address, and its account (the email, or
    for a PIN login without one the campaign's access code, whose PINs are being tried)."""
    keys = [Key(f"address:{address}", ADDRESS)]
    if email:
        keys.append(Key(f"account:{email.strip().lower()}", ACCOUNT))
    elif access_code:
        keys.append(Key(f"account:code:{normalize_access_code(access_code)}", ACCOUNT))
    return keys


class ThrottleStore(Protocol):
    """Where failures are counted."""

    async def blocked_for(self, key: str) -> float:
        """Seconds `key` must still wait (0: it may try)."""

    async def failed(self, key: str, allowance: Allowance) -> None:
        """Count a failure of `key` and start its wait."""

    async def clear(self, key: str) -> None:
        """Forget `key`'s failures (it proved itself)."""


class MemoryThrottle:
    """The failure counts of a single process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[int, float, float]] = {}  # failures, until, forget at

    async def blocked_for(self, key: str) -> float:
        """Seconds `key` must still wait (0: it may try)."""
        entry = self._entries.get(key)
        return max(0.0, entry[1] - self.clock()) if entry is not None else 0.0

    async def failed(self, key: str, allowance: Allowance) -> None:
        """Count a failure of `key` and start its wait."""
        now = self.clock()
        failures, _, forget_at = self._entries.get(key, (0, now, now))
        failures = failures + 1 if forget_at > now else 1
        if len(self._entries) > 100_000:
            self._entries = {k: v for k, v in self._entries.items() if v[2] > now}
        self._entries[key] = (
            failures, now + allowance.wait(failures), now + allowance.forget_seconds
        )  # fmt: skip

    async def clear(self, key: str) -> None:
        """Forget `key`'s failures (it proved itself)."""
        self._entries.pop(key, None)


# One failure counted on the server's clock: every process sees the same waits.
_FAILED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local over = failures - tonumber(ARGV[1])
local wait = 0
if over >= 0 then wait = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ over) end
redis.call('HSET', KEYS[1], 'until', tostring(now + wait))
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[4]) + wait))
return tostring(wait)
"""
_BLOCKED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
return tostring(math.max(0, until_ - now))
"""


class RedisThrottle:
    """The failure counts shared by every process, kept in Redis."""

    def __init__(self, url: str) -> None:
        self._redis: Redis = connect(url)
        self._failed = self._redis.register_script(_FAILED)
        self._blocked = self._redis.register_script(_BLOCKED)

    @staticmethod
    def _name(key: str) -> str:
        return f"phonebank:logins:{key}"

    async def blocked_for(self, key: str) -> float:
        """Seconds `key` must still wait (0: it may try)."""
        return float(cast(Any, await self._blocked(keys=[self._name(key)])))

    async def failed(self, key: str, allowance: Allowance) -> None:
        """Count a failure of `key` and start its wait."""
        await self._failed(
            keys=[self._name(key)],
            args=[
                allowance.free_failures,
                allowance.base_seconds,
                allowance.cap_seconds,
                allowance.forget_seconds,
            ],
        )

    async def clear(self, key: str) -> None:
        """Forget `key`'s failures (it proved itself)."""
        await self._redis.delete(self._name(key))

    async def close(self) -> None:
        """Let the connection go."""
        await self._redis.aclose()


async def throttled(store: ThrottleStore, keys: Sequence[Key], attempt: Awaitable[T]) -> T:
    """Run a login `attempt` unless one of `keys` must wait (429 with Retry-After); count its
    failure against every key, and clear the account's failures when it succeeds."""
    wait = max([await store.blocked_for(key.name) for key in keys], default=0.0)
    if wait > 0:
        close = getattr(attempt, "close", None)
        if close is not None:
            close()  # the attempt never runs: no hash is computed for a throttled login
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"too many failed logins: try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    try:
        result = await attempt
    except Unauthorized:
        for key in keys:
            await store.failed(key.name, key.allowance)
        raise
    for key in keys:
        if key.allowance is ACCOUNT:
            await store.clear(key.name)
    return result
