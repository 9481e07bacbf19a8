"""What the engine has observed of a campaign's dials, for its pacer."""

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from phonebank.dialer.pacers.base import OutcomeCounts

RECENT_WINDOW = timedelta(minutes=15)


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
        self._campaign = {"dials": 0, "human": 0, "machine": 0, "abandoned": 0, "unanswered": 0}
        self._recent: deque[tuple[datetime, str]] = deque()
        self._recent_counts = dict.fromkeys(self._campaign, 0)
        self.ring = _Mean()
        self.talk = _Mean()
        self.wrap = _Mean()

    @staticmethod
    def _bucket(outcome: str) -> str:
        if outcome in {"human", "machine", "abandoned"}:
            return outcome
        return "unanswered"

    def dial_ended(self, outcome: str, at: datetime) -> None:
        """Count a finished dial by its outcome."""
        bucket = self._bucket(outcome)
        for counts in (self._campaign, self._recent_counts):
            counts["dials"] += 1
            counts[bucket] += 1
        self._recent.append((at, bucket))
        self._expire(at)

    def _expire(self, now: datetime) -> None:
        while self._recent and now - self._recent[0][0] > RECENT_WINDOW:
            _, bucket = self._recent.popleft()
            self._recent_counts["dials"] -= 1
            self._recent_counts[bucket] -= 1

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
        self._expire(now)
        return self._counts(self._recent_counts)
