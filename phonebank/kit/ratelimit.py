"""Request rate limits: one limiter (GCRA), in memory or shared through Redis.

The generic cell rate algorithm spaces requests evenly: a key may spend its whole minute's
budget at once, then earns one request back every `60 / limit` seconds. There is no window
edge to exploit (a fixed window lets twice the limit through around its boundary). Every
face counts through it: native, TapRaise, OSDI, OBI and browser logins by key or login,
failed authentication by client address.

Every authenticated response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (seconds until the full budget is back); a request over the limit is a 429
with `Retry-After`.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from phonebank.errors import DomainError
from phonebank.kit.problems import redis_unavailable
from phonebank.kit.redis import connect


@dataclass(frozen=True)
class Allowance:
    """Where one key stands against its limit."""

    limit: int
    remaining: int
    reset_seconds: int
    allowed: bool
    retry_after: int = 0

    def headers(self) -> dict[str, str]:
        """The rate-limit headers of a response."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


class TooManyRequests(DomainError):
    """The key has spent its requests for now."""

    status_code = 429
    title = "Too many requests"


class RateLimiter(Protocol):
    """Counts a key's requests."""

    limit: int

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""


def _allowance(limit: int, period: float, allowed: bool, ahead: float, wait: float) -> Allowance:
    # `ahead`: how far the key's theoretical arrival time runs ahead of now after this hit.
    interval = period / limit
    remaining = max(0, math.floor((period - ahead) / interval + 1e-9)) if allowed else 0
    return Allowance(limit, remaining, max(1, math.ceil(ahead)), allowed, max(1, math.ceil(wait)))


class MemoryRateLimiter:
    """The limiter of a single process."""

    def __init__(
        self, limit: int, window_seconds: int = 60, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._arrivals: dict[str, float] = {}

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""
        now = self.clock()
        interval = self.window_seconds / self.limit
        arrival = max(self._arrivals.get(key, now), now)
        after = arrival + interval
        if after - self.window_seconds > now:
            return _allowance(self.limit, self.window_seconds, False, arrival - now,
                              after - self.window_seconds - now)  # fmt: skip
        if len(self._arrivals) > 100_000:
            self._arrivals = {k: v for k, v in self._arrivals.items() if v > now}
        self._arrivals[key] = after
        return _allowance(self.limit, self.window_seconds, True, after - now, 0)


# GCRA in one step on the server: its clock, so every process agrees.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local arrival = tonumber(redis.call('GET', KEYS[1]) or now)
if arrival < now then arrival = now end
local after = arrival + interval
if after - period > now then
  return {0, tostring(arrival - now), tostring(after - period - now)}
end
redis.call('SET', KEYS[1], tostring(after), 'PX', math.ceil((after - now) * 1000) + 1000)
return {1, tostring(after - now), '0'}
"""


class RedisRateLimiter:
    """The limiter shared by every process, kept in Redis."""

    def __init__(self, url: str, limit: int, window_seconds: int = 60) -> None:
        self._redis: Redis = connect(url)
        self._script = self._redis.register_script(_GCRA)
        self.limit = limit
        self.window_seconds = window_seconds

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""
        interval = self.window_seconds / self.limit
        result = cast(
            list[Any],
            await self._script(
                keys=[f"phonebank:gcra:{key}"], args=[repr(interval), self.window_seconds]
            ),
        )
        allowed, ahead, wait = int(result[0]), float(result[1]), float(result[2])
        return _allowance(self.limit, self.window_seconds, bool(allowed), ahead, wait)

    async def close(self) -> None:
        """Let the connection go."""
        await self._redis.aclose()


async def check_rate(
    limiter: RateLimiter | None, key: str, *, what: str = "this key"
) -> Allowance | None:
    """Count a request; TooManyRequests (with Retry-After) when `key` is over its limit."""
    if limiter is None:
        return None
    try:
        allowance = await limiter.hit(key)
    except RedisError:
        raise redis_unavailable() from None
    if not allowance.allowed:
        raise TooManyRequests(
            f"{what} may make {allowance.limit} requests a minute; "
            f"try again in {allowance.retry_after} s",
            headers={**allowance.headers(), "Retry-After": str(allowance.retry_after)},
        )
    return allowance
