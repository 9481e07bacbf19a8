"""Power (progressive) pacing: a fixed number of lines per available caller."""

import math

from phonebank.dialer.pacers.base import Pacer, PacerState
from phonebank.errors import Invalid


class PowerPacer(Pacer):
    """Keeps `ratio` lines ringing per available caller (the campaign's ratio by default)."""

    name = "power"

    def __init__(self, *, ratio: float | None = None) -> None:
        if ratio is not None and not (math.isfinite(ratio) and ratio > 0):
            raise Invalid(f"power ratio must be a positive number, not {ratio!r}", field="ratio")
        self.ratio = ratio

    def dials_to_place(self, state: PacerState) -> int:
        """Lines wanted for the available callers, less the dials already ringing."""
        ratio = self.ratio if self.ratio is not None else state.power_ratio
        if not (math.isfinite(ratio) and ratio > 0):
            ratio = 1.0
        # The tolerance keeps 1.1 * 10 from becoming 12 through float error.
        wanted = math.ceil(ratio * max(0, state.callers_available) - 1e-9)
        return max(0, wanted - state.calls_in_flight)
