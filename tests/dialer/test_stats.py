"""What the engine counts for its pacer: the whole campaign, the recent window, the last hour."""

from datetime import UTC, datetime, timedelta

from phonebank.dialer.stats import OutcomeTracker

START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_windows_forget_what_ended_before_them() -> None:
    stats = OutcomeTracker()
    stats.start(at(0))
    stats.dial_ended("abandoned", at(1))
    stats.dial_ended("human", at(2))
    stats.dial_ended("no_answer", at(30))
    stats.dial_ended("machine", at(50))

    assert stats.campaign().dials == 4
    assert stats.recent(at(50)).dials == 1  # the last 15 minutes
    hour = stats.last_hour(at(50))
    assert (hour.dials, hour.human_answers, hour.abandons) == (4, 2, 1)
    later = stats.last_hour(at(62.5))
    assert (later.dials, later.human_answers, later.abandons) == (2, 0, 0)
    assert stats.campaign().abandons == 1


def test_hour_covered_is_the_time_dialed_within_the_last_hour() -> None:
    stats = OutcomeTracker()
    assert stats.hour_covered(at(5)) == 0.0
    stats.start(at(10))
    stats.start(at(20))  # only the first start counts
    assert stats.hour_covered(at(25)) == 15 * 60
    assert stats.hour_covered(at(200)) == 3600


def test_extra_dials_are_those_beyond_one_line_per_free_caller() -> None:
    stats = OutcomeTracker()
    assert stats.extra_dial_percent(at(0)) == 0.0
    stats.placed(at(1), dials=4, free_lines=4)  # one line each for four free callers
    stats.placed(at(2), dials=3, free_lines=1)  # two of three dialed for busy callers
    stats.placed(at(3), dials=3, free_lines=-2)  # lines already ringing beyond the free ones
    stats.placed(at(4), dials=0, free_lines=0)
    assert stats.extra_dial_percent(at(4)) == 50.0
    # The window forgets the first decisions.
    assert stats.extra_dial_percent(at(17.5)) == 100.0
    assert stats.extra_dial_percent(at(30)) == 0.0
