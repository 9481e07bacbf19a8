"""How well and how fast the dialer plays the built-in simulated days, against the targets.

Runs every scenario in every mode at each abandon target (seeds fixed), prints the table with
wall and CPU seconds, and marks each target met or missed:

- predictive, share of the utilization bound: at a 3 % target at least 0.96 (callcenter),
  0.88 (phonebank), 0.70 (volunteer-small); at a 1 % target at least 0.93 (callcenter);
- every run: abandon rate at or under the target, and no hour over twice the target;
- the 8-hour callcenter day (predictive) in under 60 s of wall time.

    python benchmarks/simulate.py                       # the full table, one run at a time
    python benchmarks/simulate.py --seeds 1,2,3 --modes predictive --jobs 2

Runs in parallel (`--jobs`) share the cores: their wall times are then not the ones to judge
the time target by (CPU seconds are).
"""

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from phonebank.dialer.simulation import MODES, SCENARIOS, run_simulation

# Share of the utilization bound predictive dialing must reach, by (scenario, target %).
UTILIZATION_TARGETS = {
    ("callcenter", 3.0): 0.96,
    ("phonebank", 3.0): 0.88,
    ("volunteer-small", 3.0): 0.70,
    ("callcenter", 1.0): 0.93,
}
WALL_TARGET_SECONDS = 60.0
# Wide enough for every column, whatever the terminal.
console = Console(width=150)


@dataclass(frozen=True)
class Run:
    """One simulated day to play."""

    scenario: str
    mode: str
    target: float
    seed: int
    hours: float | None


@dataclass(frozen=True)
class Figures:
    """What one day measured, and the CPU time it took."""

    run: Run
    of_bound: float
    abandon_rate: float
    max_hourly: float
    dials: int
    wall: float
    cpu: float


def play(run: Run) -> Figures:
    """Play one day in this process."""
    scenario = SCENARIOS[run.scenario]
    if run.hours is not None:
        scenario = replace(scenario, hours=run.hours)
    started = time.process_time()
    result = asyncio.run(
        run_simulation(scenario, mode=run.mode, abandon_target=run.target, seed=run.seed)
    )
    return Figures(
        run=run,
        of_bound=result.utilization_of_bound,
        abandon_rate=result.abandon_rate,
        max_hourly=result.max_hourly_abandon_rate,
        dials=result.dials,
        wall=result.wall_seconds,
        cpu=time.process_time() - started,
    )


def verdicts(figures: Figures, full_day: bool) -> list[str]:
    """The targets this run missed (empty: all met)."""
    run, target = figures.run, figures.run.target / 100
    missed = []
    if figures.abandon_rate > target + 1e-12:
        missed.append("abandon rate")
    if figures.max_hourly > 2 * target + 1e-12:
        missed.append("worst hour")
    wanted = UTILIZATION_TARGETS.get((run.scenario, run.target))
    if run.mode == "predictive" and wanted is not None and figures.of_bound < wanted:
        missed.append(f"of bound < {wanted:.2f}")
    if (
        full_day
        and run.mode == "predictive"
        and run.scenario == "callcenter"
        and figures.wall >= WALL_TARGET_SECONDS
    ):
        missed.append(f"wall >= {WALL_TARGET_SECONDS:.0f} s")
    return missed


def main(
    scenarios: Annotated[str, typer.Option(help="Comma-separated scenarios.")] = ",".join(
        SCENARIOS
    ),
    modes: Annotated[str, typer.Option(help="Comma-separated modes.")] = ",".join(MODES),
    targets: Annotated[str, typer.Option(help="Comma-separated abandon targets, %.")] = "1,3",
    seeds: Annotated[str, typer.Option(help="Comma-separated seeds.")] = "1",
    hours: Annotated[float | None, typer.Option(help="Shorter days (time target off).")] = None,
    jobs: Annotated[int, typer.Option(help="Days played at once (processes).")] = 1,
) -> None:
    """Print the simulation table and which targets are met."""
    runs = [
        Run(scenario, mode, float(target), int(seed), hours)
        for seed in seeds.split(",")
        for target in targets.split(",")
        for scenario in scenarios.split(",")
        for mode in modes.split(",")
    ]
    for run in runs:
        if run.scenario not in SCENARIOS or run.mode not in MODES:
            raise typer.BadParameter(f"unknown scenario or mode in {run}")
    started = time.perf_counter()
    results: list[Figures] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for figures in pool.map(play, runs):
            results.append(figures)
            console.print(
                f"[{len(results)}/{len(runs)}] {figures.run.scenario} {figures.run.mode}"
                f" {figures.run.target:g} %: {figures.of_bound:.3f} of bound,"
                f" {figures.abandon_rate:.2%} abandoned, {figures.wall:.1f} s"
            )
    table = Table(title=f"Simulated days ({len(runs)} runs, {jobs} at a time)")
    for column in (
        "scenario", "target", "seed", "mode", "dials", "of bound", "abandon", "worst hour",
        "wall s", "cpu s", "targets",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    misses = 0
    for figures in results:
        run = figures.run
        missed = verdicts(figures, full_day=hours is None)
        misses += bool(missed)
        table.add_row(
            run.scenario,
            f"{run.target:g} %",
            str(run.seed),
            run.mode,
            f"{figures.dials:,}",
            f"{figures.of_bound:.3f}",
            f"{figures.abandon_rate:.2%}",
            f"{figures.max_hourly:.2%}",
            f"{figures.wall:.1f}",
            f"{figures.cpu:.1f}",
            "[green]met[/green]" if not missed else f"[red]missed: {', '.join(missed)}[/red]",
        )
    console.print(table)
    console.print(
        f"{len(runs) - misses} of {len(runs)} runs met every target;"
        f" {time.perf_counter() - started:.0f} s in all."
    )


if __name__ == "__main__":
    typer.run(main)
