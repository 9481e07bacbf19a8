"""How much utilization each extra point of abandons buys: the predictive pacer's frontier.

Plays one scenario's day with the real engine again and again, each time with the predictive
pacer steering its campaign abandon rate to another share of the 3 % target (its `aim`; above
1.0 it deliberately runs over the target, which no campaign setting allows, to see what more
abandons would buy). Prints utilization (as a share of the bound) against the abandon rate
reached, the utilization read off the curve at exactly the target, the abandon rate a given
utilization would cost, and with `--plot` draws the curve.

    python benchmarks/pacing_frontier.py                          # phonebank, seed 1
    python benchmarks/pacing_frontier.py --aims 0.6,0.85,1.1,1.3 --want 0.88 --plot f.png
"""

import asyncio
import itertools
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from phonebank.dialer.pacers.predictive import PredictivePacer
from phonebank.dialer.pacers.registry import register_pacer
from phonebank.dialer.simulation import SCENARIOS, run_simulation

TARGET_PERCENT = 3.0
_AIMED_PREFIX = "AimedPredictive_"
console = Console(width=120)


def __getattr__(name: str) -> Any:
    """`AimedPredictive_115`: the predictive pacer steering to 1.15 of the target.

    The engine makes a pacer by its registered name, without settings, so each aim is a class.
    """
    if not name.startswith(_AIMED_PREFIX):
        raise AttributeError(name)
    aim = int(name.removeprefix(_AIMED_PREFIX)) / 100

    def init(self: PredictivePacer) -> None:
        PredictivePacer.__init__(self)
        self.aim = aim  # set past the constructor's bound of 1.0, which keeps campaigns legal

    return type(name, (PredictivePacer,), {"__init__": init, "__module__": __name__})


@dataclass(frozen=True)
class Point:
    """One simulated day at one aim."""

    aim: float
    abandon_rate: float
    of_bound: float
    worst_hour: float


def play(scenario: str, aim: float, seed: int) -> Point:
    """One day of `scenario` with the pacer aiming at `aim` of the target."""
    pacer = f"{_AIMED_PREFIX}{round(aim * 100)}"
    register_pacer(pacer, __getattr__(pacer))  # campaigns name pacers from the registry
    result = asyncio.run(
        run_simulation(
            SCENARIOS[scenario],
            mode="predictive",
            abandon_target=TARGET_PERCENT,
            seed=seed,
            pacer=pacer,
        )
    )
    return Point(aim, result.abandon_rate, result.utilization_of_bound,
                 result.max_hourly_abandon_rate)  # fmt: skip


def _play_star(arguments: tuple[str, float, int]) -> Point:
    return play(*arguments)


def read_off(points: list[Point], *, at_rate: float | None = None,
             at_share: float | None = None) -> float | None:  # fmt: skip
    """Linear interpolation along the curve (sorted by abandon rate); None outside it."""
    ordered = sorted(points, key=lambda p: p.abandon_rate)
    for low, high in itertools.pairwise(ordered):
        if at_rate is not None and low.abandon_rate <= at_rate <= high.abandon_rate:
            span = high.abandon_rate - low.abandon_rate
            part = (at_rate - low.abandon_rate) / span if span else 0.0
            return low.of_bound + part * (high.of_bound - low.of_bound)
        if at_share is not None and low.of_bound <= at_share <= high.of_bound:
            span = high.of_bound - low.of_bound
            part = (at_share - low.of_bound) / span if span else 0.0
            return low.abandon_rate + part * (high.abandon_rate - low.abandon_rate)
    return None


def plot(points: list[Point], path: Path, *, scenario: str, want: float) -> None:
    """Utilization against abandon rate, with the target and the wanted utilization."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(points, key=lambda p: p.abandon_rate)
    figure, axes = plt.subplots(figsize=(7, 4.5))
    axes.plot([100 * p.abandon_rate for p in ordered], [p.of_bound for p in ordered], "o-",
              label="predictive pacer")  # fmt: skip
    axes.axvline(TARGET_PERCENT, color="red", linestyle="--", label=f"{TARGET_PERCENT:g} % target")
    axes.axhline(want, color="gray", linestyle=":", label=f"{want:.2f} of the bound")
    axes.set_xlabel("abandon rate over the day, %")
    axes.set_ylabel("utilization / bound")
    axes.set_title(f"{scenario}: utilization bought by abandons")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main(
    scenario: Annotated[str, typer.Option(help="A built-in scenario.")] = "phonebank",
    aims: Annotated[str, typer.Option(help="Comma-separated aims (shares of the target).")] = (
        "0.5,0.7,0.85,1.0,1.15,1.3,1.5"
    ),
    seed: Annotated[int, typer.Option(help="The simulation seed.")] = 1,
    want: Annotated[float, typer.Option(help="Utilization share to price in abandons.")] = 0.88,
    jobs: Annotated[int, typer.Option(help="Days played at once (processes).")] = 2,
    plot_file: Annotated[Path | None, typer.Option("--plot", help="Draw the curve here.")] = None,
) -> None:
    """Print (and plot) the pacer's utilization against the abandon rate it reached."""
    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"unknown scenario {scenario!r}")
    levels = [float(aim) for aim in aims.split(",")]
    points: list[Point] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = [(scenario, aim, seed) for aim in levels]
        for point in pool.map(_play_star, runs):
            points.append(point)
            console.print(
                f"[{len(points)}/{len(runs)}] aim {point.aim:g}: {point.of_bound:.3f} of bound,"
                f" {point.abandon_rate:.2%} abandoned"
            )
    table = Table(title=f"{scenario}, seed {seed}: utilization against abandons")
    for column in ("aim", "abandon rate", "worst hour", "of bound"):
        table.add_column(column, justify="right")
    for point in sorted(points, key=lambda p: p.abandon_rate):
        table.add_row(f"{point.aim:g}", f"{point.abandon_rate:.2%}", f"{point.worst_hour:.2%}",
                      f"{point.of_bound:.3f}")  # fmt: skip
    console.print(table)
    at_target = read_off(points, at_rate=TARGET_PERCENT / 100)
    needed = read_off(points, at_share=want)
    console.print(
        f"At exactly {TARGET_PERCENT:g} % abandons: "
        + (f"{at_target:.3f} of the bound." if at_target is not None else "outside the curve.")
    )
    console.print(
        f"{want:.2f} of the bound costs: "
        + (f"{needed:.2%} abandons." if needed is not None else "more than the curve reaches.")
    )
    if plot_file is not None:
        plot(points, plot_file, scenario=scenario, want=want)
        console.print(f"Plotted to {plot_file}.")


if __name__ == "__main__":
    typer.run(main)
