"""How often the engine asks its pacer, and how far ahead it claims calls."""

from itertools import pairwise

from phonebank.dialer.engine import MIN_PACE_INTERVAL_SECONDS
from phonebank.dialer.pacers.base import Pacer, PacerState
from tests.dialer.conftest import World


class CountingPacer(Pacer):
    """Never dials; remembers when it was asked."""

    name = "counting"

    def __init__(self) -> None:
        self.asked: list[PacerState] = []

    def dials_to_place(self, state: PacerState) -> int:
        """0, always."""
        self.asked.append(state)
        return 0


async def test_pacer_decides_at_most_once_per_interval_however_many_changes(world: World) -> None:
    pacer = CountingPacer()
    dialer = world.dialer(pacer=pacer)
    await world.start(dialer)
    for _ in range(12):
        await world.log_in(dialer)  # every caller joining asks for a decision
        await world.run(0.25)
    await world.run(3)

    moments = [state.now for state in pacer.asked]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(moments)]
    assert len(moments) >= 5
    assert min(gaps) >= MIN_PACE_INTERVAL_SECONDS
    # The tick keeps deciding while nothing happens.
    assert max(gaps) <= 2 * MIN_PACE_INTERVAL_SECONDS
    assert pacer.asked[-1].callers_available == 12
