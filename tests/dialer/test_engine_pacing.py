"""How often the engine asks its pacer, and how far ahead it claims calls."""

from itertools import pairwise

from phonebank.dialer.engine import EXTRA_DIALS_REPORT_SECONDS, MIN_PACE_INTERVAL_SECONDS
from phonebank.dialer.pacers.base import Pacer, PacerState
from tests.dialer.conftest import FixedPacer, World


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


async def test_predictive_campaign_reports_its_share_of_extra_dials(world: World) -> None:
    await world.update_campaign(dialing_mode="predictive")
    await world.add_calls(5)
    dialer = world.dialer(pacer=FixedPacer())  # 3 dials for the one free caller
    await world.log_in(dialer)
    await world.start(dialer)
    before = await world.campaign()
    assert (len(world.carrier.originations), before.increase_predictive_ratio) == (3, 0.0)

    await world.run(EXTRA_DIALS_REPORT_SECONDS + 1)

    after = await world.campaign()
    assert after.increase_predictive_ratio == 66.7  # two of the three were for busy callers
    assert after.modified_at == before.modified_at  # a live figure, not an edit


async def test_power_campaign_leaves_the_predictive_ratio_alone(world: World) -> None:
    await world.update_campaign(increase_predictive_ratio=12.5)
    await world.add_calls(5)
    dialer = world.dialer(pacer=FixedPacer())
    await world.log_in(dialer)
    await world.start(dialer)
    await world.run(EXTRA_DIALS_REPORT_SECONDS + 1)

    assert (await world.campaign()).increase_predictive_ratio == 12.5
