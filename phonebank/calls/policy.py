"""When a call may ring and when it is tried again: pure rules, no database."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Never call anyone before 08:00 or from 21:00 on, in their own time, whatever a campaign says.
EARLIEST_LOCAL_HOUR = 8
LATEST_LOCAL_HOUR = 21
# Outcomes after which the next attempt moves on to the call's next number.
ROTATING_OUTCOMES = frozenset({"busy", "no_answer", "machine", "failed", "rejected"})
# A reached human waits this long for the caller's result before the call may ring again, so
# nobody is redialed during the caller's wrap-up (the result normally completes the call).
AWAITING_RESULT_SECONDS = 3600


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait before the next attempt, by the outcome of the last one."""

    busy_seconds: int
    no_answer_seconds: int
    machine_seconds: int
    failed_seconds: int
    abandoned_seconds: int

    def delay(self, outcome: str | None) -> timedelta | None:
        """The wait before the next attempt; None where the outcome schedules nothing."""
        seconds = {
            "busy": self.busy_seconds,
            "no_answer": self.no_answer_seconds,
            "machine": self.machine_seconds,
            "failed": self.failed_seconds,
            "rejected": self.failed_seconds,
            "abandoned": self.abandoned_seconds,
            "human": AWAITING_RESULT_SECONDS,
            # A caller skipped the contact in preview: it waits like one that did not answer.
            "skipped": self.no_answer_seconds,
        }.get(outcome or "")
        return None if seconds is None else timedelta(seconds=seconds)


def next_number_index(current: int, numbers_count: int, outcome: str | None) -> int:
    """Which of the call's numbers the next attempt dials (OBI `lastBNumber`)."""
    if numbers_count <= 1 or outcome not in ROTATING_OUTCOMES:
        return current
    return (current + 1) % numbers_count


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def allowed_hours(daily_start_hour: int, daily_stop_hour: int) -> frozenset[int]:
    """Local hours in which calling may start: the campaign's window within 08:00-21:00."""
    if daily_start_hour < daily_stop_hour:
        campaign_hours = set(range(daily_start_hour, daily_stop_hour))
    else:  # a window through midnight, e.g. 18 -> 2
        campaign_hours = set(range(daily_start_hour, 24)) | set(range(0, daily_stop_hour))
    return frozenset(campaign_hours & set(range(EARLIEST_LOCAL_HOUR, LATEST_LOCAL_HOUR)))


def inside_calling_hours(
    zone_key: str | None,
    now: datetime,
    *,
    hours: frozenset[int],
    fallback_zone: str,
) -> bool:
    """Whether it is inside `hours` now in every zone the contact may be in.

    `zone_key` holds one IANA zone or several joined by `|` (a number whose prefix spans
    zones); unknown zones fall back to the campaign's zone.
    """
    names = zone_key.split("|") if zone_key else [fallback_zone]
    for name in names:
        zone = _zone(name) or _zone(fallback_zone)
        if zone is None or now.astimezone(zone).hour not in hours:
            return False
    return True
