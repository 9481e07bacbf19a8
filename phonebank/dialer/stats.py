"""What the engine has observed of a campaign's dials, for its pacer."""

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from phonebank.dialer.pacers.base import OutcomeCounts

RECENT_WINDOW = timedelta(minutes=15)
# The window of the hourly abandon limit: any hour's abandons stay within twice the target.
HOUR_WINDOW = timedelta(hours=1)


class _Window:
    """Counts of the dials that ended within a sliding window of time."""

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self.ended: deque[tuple[datetime, str]] = deque()
        self.counts = dict.fromkeys(("dials", "human", "machine", "abandoned", "unanswered"), 0)

    def add(self, at: datetime, bucket: str) -> None:
        self.counts["dials"] += 1
        self.counts[bucket] += 1
        self.ended.append((at, bucket))
        self.expire(at)

    def expire(self, now: datetime) -> None:
        while self.ended and now - self.ended[0][0] > self.span:
            _, bucket = self.ended.popleft()
            self.counts["dials"] -= 1
            self.counts[bucket] -= 1


@dataclass
class _Mean:
    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None


class _PlacedWindow:
    """Dials placed within a sliding window of time, and how many of them were extra ones."""

    def __init__(self, span: timedelta) -> None:
        self.span = span
        self.placed: deque[tuple[datetime, int, int]] = deque()
        self.dials = self.extra = 0

    def add(self, at: datetime, dials: int, extra: int) -> None:
        self.placed.append((at, dials, extra))
        self.dials += dials
        self.extra += extra
        self.expire(at)

    def expire(self, now: datetime) -> None:
        while self.placed and now - self.placed[0][0] > self.span:
            _, dials, extra = self.placed.popleft()
            self.dials -= dials
            self.extra -= extra


class OutcomeTracker:
    """Counts over the whole campaign and over a sliding recent window, and mean durations."""

    def __init__(self) -> None:
        self._campaign = {"dials": 0, "human": 0, "machine": 0, "abandoned": 0, "unanswered": 0}
        self._recent = _Window(RECENT_WINDOW)
        self._hour = _Window(HOUR_WINDOW)
        self._placed = _PlacedWindow(RECENT_WINDOW)
        self.started: datetime | None = None
        self.ring = _Mean()
        self.talk = _Mean()
        self.wrap = _Mean()

    def start(self, at: datetime) -> None:
        """The campaign's dialing began (the hour window covers no time before this)."""
        if self.started is None:
            self.started = at

    def placed(self, at: datetime, *, dials: int, free_lines: int) -> None:
        """Count dials placed at once; those beyond one line per free caller are extra ones."""
        if dials > 0:
            self._placed.add(at, dials, max(0, dials - max(0, free_lines)))

    def extra_dial_percent(self, now: datetime) -> float:
        """Percent of the recent window's dials placed for busy callers (OBI
        increasePredictiveRatio): beyond one line per free caller, ahead of their being free."""
        self._placed.expire(now)
        window = self._placed
        return 100.0 * window.extra / window.dials if window.dials else 0.0

    @staticmethod
    def _bucket(outcome: str) -> str:
        if outcome in {"human", "machine", "abandoned"}:
            return outcome
        return "unanswered"

    def dial_ended(self, outcome: str, at: datetime) -> None:
        """Count a finished dial by its outcome."""
        bucket = self._bucket(outcome)
        self._campaign["dials"] += 1
        self._campaign[bucket] += 1
        self._recent.add(at, bucket)
        self._hour.add(at, bucket)

    @staticmethod
    def _counts(counts: dict[str, int]) -> OutcomeCounts:
        return OutcomeCounts(
            dials=counts["dials"],
            # An abandoned call was a human answer nobody took.
            human_answers=counts["human"] + counts["abandoned"],
            machine_answers=counts["machine"],
            abandons=counts["abandoned"],
            unanswered=counts["unanswered"],
        )

    def campaign(self) -> OutcomeCounts:
        """Counts since the campaign's dialer started."""
        return self._counts(self._campaign)

    def recent(self, now: datetime) -> OutcomeCounts:
        """Counts over the recent window."""
        self._recent.expire(now)
        return self._counts(self._recent.counts)

    def last_hour(self, now: datetime) -> OutcomeCounts:
        """Counts over the last hour."""
        self._hour.expire(now)
        return self._counts(self._hour.counts)

    def hour_covered(self, now: datetime) -> float:
        """Seconds of the last hour the campaign has been dialing."""
        if self.started is None:
            return 0.0
        return min(HOUR_WINDOW.total_seconds(), (now - self.started).total_seconds())
