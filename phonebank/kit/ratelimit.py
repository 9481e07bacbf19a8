"""Request rate limits per API key: a fixed window per minute, in memory or shared via Redis.

Every authenticated response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (seconds until the window resets); a request over the limit is a 429 with
`Retry-After`.
"""

import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from phonebank.errors import DomainError


@dataclass(frozen=True)
class Allowance:
    """Where one key stands in the current window."""

    limit: int
    remaining: int
    reset_seconds: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """The rate-limit headers of a response."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


class TooManyRequests(DomainError):
    """The key has spent its requests of the current window."""

    status_code = 429
    title = "Too many requests"


class RateLimiter(Protocol):
    """Counts a key's requests in the current window."""

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""


def _window(seconds: int) -> tuple[int, int]:
    now = time.time()
    start = int(now // seconds) * seconds
    return start, max(1, math.ceil(start + seconds - now))


class MemoryRateLimiter:
    """The limiter of a single process."""

    def __init__(self, limit: int, window_seconds: int = 60) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._counts: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""
        start, reset = _window(self.window_seconds)
        window, count = self._counts.get(key, (start, 0))
        if window != start:
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == start}
            count = 0
        count += 1
        self._counts[key] = (start, count)
        return Allowance(self.limit, max(0, self.limit - count), reset, count <= self.limit)


class RedisRateLimiter:
    """The limiter shared by every process, counting in Redis."""

    def __init__(self, url: str, limit: int, window_seconds: int = 60) -> None:
        self._redis: Redis = Redis.from_url(url)
        self.limit = limit
        self.window_seconds = window_seconds

    async def hit(self, key: str) -> Allowance:
        """Count one request of `key` and say whether it may go on."""
        start, reset = _window(self.window_seconds)
        name = f"phonebank:ratelimit:{key}:{start}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window_seconds + 5)
            count, _ = await pipe.execute()
        return Allowance(self.limit, max(0, self.limit - count), reset, count <= self.limit)

    async def close(self) -> None:
        """Let the connection go."""
        await self._redis.aclose()


async def check_rate(limiter: RateLimiter | None, key: str) -> Allowance | None:
    """Count a request; TooManyRequests (with Retry-After) when the key is over its limit."""
    if limiter is None:
        return None
    allowance = await limiter.hit(key)
    if not allowance.allowed:
        raise TooManyRequests(
            f"this key may make {allowance.limit} requests a minute; "
            f"try again in {allowance.reset_seconds} s",
            headers={**allowance.headers(), "Retry-After": str(allowance.reset_seconds)},
        )
    return allowance
