"""What the engine has observed of a campaign's dials, for its pacer."""

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from phonebank.dialer.pacers.base import OutcomeCounts

RECENT_WINDOW = timedelta(minutes=15)
# The window of the hourly abandon limit: any hour's abandons stay within twice the target.
HOUR_WINDOW = timedelta(hours=1)
# What dial outcomes are counted by: all dials, and each by its kind.
_OUTCOME_COUNTS = ("dials", "human", "machine", "abandoned", "unanswered")


class _Window:
    """Sums of named counts over the events within a sliding window of time."""

    def __init__(self, span: timedelta, names: tuple[str, ...]) -> None:
        self.span = span
        self.events: deque[tuple[datetime, tuple[tuple[str, int], ...]]] = deque()
        self.counts = dict.fromkeys(names, 0)

    def add(self, at: datetime, amounts: tuple[tuple[str, int], ...]) -> None:
        for name, amount in amounts:
            self.counts[name] += amount
        self.events.append((at, amounts))
        self.expire(at)

    def expire(self, now: datetime) -> None:
        while self.events and now - self.events[0][0] > self.span:
            for name, amount in self.events.popleft()[1]:
                self.counts[name] -= amount


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


class OutcomeTracker:
    """Counts over the whole campaign and over a sliding recent window, and mean durations."""

    def __init__(self) -> None:
        self._campaign = dict.fromkeys(_OUTCOME_COUNTS, 0)
        self._recent = _Window(RECENT_WINDOW, _OUTCOME_COUNTS)
        self._hour = _Window(HOUR_WINDOW, _OUTCOME_COUNTS)
        # Dials placed, and the extra ones among them (see `placed`).
        self._placed = _Window(RECENT_WINDOW, ("dials", "extra"))
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
            extra = max(0, dials - max(0, free_lines))
            self._placed.add(at, (("dials", dials), ("extra", extra)))

    def extra_dial_percent(self, now: datetime) -> float:
        """Percent of the recent window's dials placed for busy callers (OBI
        increasePredictiveRatio): beyond one line per free caller, ahead of their being free."""
        self._placed.expire(now)
        counts = self._placed.counts
        return 100.0 * counts["extra"] / counts["dials"] if counts["dials"] else 0.0

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
        amounts = (("dials", 1), (bucket, 1))
        self._recent.add(at, amounts)
        self._hour.add(at, amounts)

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
