"""Redis clients with timeouts: a Redis that is down or hung fails a request fast (a 503),
instead of holding it until the operating system gives up."""

from redis.asyncio import Redis

# Connecting and each reply: short, so a request that needs Redis answers 503 within seconds.
CONNECT_SECONDS = 1.0
REPLY_SECONDS = 2.0


def connect(url: str, *, blocking_seconds: float = 0.0) -> Redis:
    """A client of `url`; `blocking_seconds` is the longest blocking command it sends (BLPOP),
    which its socket must outwait so an empty wait ends as None, never as an error."""
    return Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_SECONDS,
        socket_timeout=REPLY_SECONDS + blocking_seconds,
    )
