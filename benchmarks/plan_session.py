"""Wall time of planning a session (`POST /api/v1/campaigns/{id}/plan`) for 10, 50 and 200
callers over 3 hours, on a new campaign (the simulator's default rates).

The first plan of a process also migrates the simulation database it starts every run from;
it is played once before timing. Each plan plays its three modes in processes of their own,
so on a loaded machine the simulated span shrinks (the `simulated` column) rather than the
wall time growing.

    python benchmarks/plan_session.py
    python benchmarks/plan_session.py --callers 10,50,200 --hours 3 --time-limit 10
"""

import asyncio
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from phonebank.config import get_settings
from phonebank.dialer.simulation import MODES
from phonebank.planning.forecast import forecast_mode, scenario_for, size_plan
from phonebank.planning.observed import default_rates
from phonebank.planning.runner import Planner

console = Console(width=150)


async def _plans(callers: list[int], hours: float, time_limit: float, budget: int) -> Table:
    planner = Planner(max_concurrent=1, time_limit_seconds=time_limit)
    rates = default_rates()
    warm = size_plan(1, 0.25, rates, budget)
    await planner.play(scenario_for(rates, warm, 20), modes=MODES, abandon_target=3.0, pacers={})
    table = Table(title=f"Plans of {hours:g} h, time limit {time_limit:g} s, {budget} dials a mode")
    for column in ("callers", "simulated", "wall s", "preview", "power", "predictive",
                   "predictive abandon", "predictive utilization"):  # fmt: skip
        table.add_column(column, justify="right")
    for count in callers:
        sizing = size_plan(count, hours, rates, budget)
        started = time.perf_counter()
        results = await planner.play(
            scenario_for(rates, sizing, 20), modes=MODES, abandon_target=3.0, pacers={}
        )
        wall = time.perf_counter() - started
        played = min(result["hours"] for result in results.values())
        modes = {mode: forecast_mode(results[mode], sizing, 3.0) for mode in MODES}
        table.add_row(
            str(count),
            f"{sizing.simulated_callers} callers, {played:.2f} h",
            f"{wall:.1f}",
            *(f"{modes[mode]['contacts']:,} contacts" for mode in MODES),
            f"{modes['predictive']['abandon_rate']:.2%}",
            f"{modes['predictive']['utilization']:.3f}",
        )
    return table


def main(
    callers: Annotated[str, typer.Option(help="Comma-separated caller counts.")] = "10,50,200",
    hours: Annotated[float, typer.Option(help="Length of the session.")] = 3.0,
    time_limit: Annotated[float | None, typer.Option(help="Seconds a plan may take.")] = None,
    budget: Annotated[int | None, typer.Option(help="Dials simulated per mode.")] = None,
) -> None:
    """Print the wall time of a plan for each number of callers."""
    settings = get_settings()
    table = asyncio.run(
        _plans(
            [int(value) for value in callers.split(",")],
            hours,
            time_limit or settings.planning_time_limit_seconds,
            budget or settings.planning_dials_per_mode,
        )
    )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
