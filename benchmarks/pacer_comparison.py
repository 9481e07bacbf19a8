"""Our predictive pacer against the published methods, on the built-in simulated days.

Plays every scenario with the real engine under each pacer of `published_pacers.py` (VICIdial's
adaptive dial level, Impact Dialing's dial factor, the Erlang / binomial model), power dialing
and ours, all at one abandon target. A published method with a setting to tune is played with
each setting tried, and the best day that kept the target counts for it (so it is compared at
its best, not at its defaults). Prints the table and, with `--plot`, draws utilization per
scenario and method.

    python benchmarks/pacer_comparison.py                       # all scenarios at 3 %, seed 1
    python benchmarks/pacer_comparison.py --scenarios phonebank --jobs 2 --plot methods.png
"""

import asyncio
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from phonebank.dialer.simulation import SCENARIOS, run_simulation

console = Console(width=130)
# Each method: the pacers (mode, registered pacer name or None) tried for it, with a label each.
METHODS: dict[str, list[tuple[str, str, str | None]]] = {
    "power (1 line per free caller)": [("ratio 1", "power", None)],
    "VICIdial adaptive": [
        (f"{form}, {waiting} waiting", "predictive", f"{cls}_{waiting}")
        for form, cls in (("hard limit", "VicidialAdaptive"), ("average", "VicidialAverage"))
        for waiting in (0, 2)
    ],
    "Impact Dialing dial factor": [
        (f"factor {ratio:g}", "predictive", f"FixedRatio_{round(ratio * 100)}")
        for ratio in (2, 3, 4, 6, 8, 10, 12)
    ],
    "Erlang / binomial model": [
        (f"{factor:g} x share", "predictive", f"Binomial_{round(factor * 100)}")
        for factor in (1.0, 0.7, 0.5)
    ],
    "ours (predictive)": [("defaults", "predictive", None)],
}


@dataclass(frozen=True)
class Day:
    """One simulated day of one pacer, and what it measured."""

    scenario: str
    method: str
    setting: str
    mode: str
    pacer: str | None
    of_bound: float = 0.0
    abandon_rate: float = 0.0
    worst_hour: float = 0.0


def play(day: Day, target: float, seed: int, hours: float | None) -> Day:
    """Play `day` in this process."""
    scenario = SCENARIOS[day.scenario]
    if day.pacer is not None:
        # Campaigns name pacers from the registry: the variant joins it in this process.
        from published_pacers import register

        register(day.pacer)
    if hours is not None:
        scenario = replace(scenario, hours=hours)
    result = asyncio.run(
        run_simulation(scenario, mode=day.mode, abandon_target=target, seed=seed, pacer=day.pacer)
    )
    return replace(
        day,
        of_bound=result.utilization_of_bound,
        abandon_rate=result.abandon_rate,
        worst_hour=result.max_hourly_abandon_rate,
    )


def _play_star(arguments: tuple[Day, float, int, float | None]) -> Day:
    return play(*arguments)


def best_days(days: list[Day], target: float) -> list[tuple[Day, bool]]:
    """Each (scenario, method)'s best day within the target (or its lowest-abandon one)."""
    chosen: list[tuple[Day, bool]] = []
    groups: dict[tuple[str, str], list[Day]] = {}
    for day in days:
        groups.setdefault((day.scenario, day.method), []).append(day)
    for group in groups.values():
        kept = [day for day in group if day.abandon_rate <= target / 100 + 1e-12]
        if kept:
            chosen.append((max(kept, key=lambda day: day.of_bound), True))
        else:
            chosen.append((min(group, key=lambda day: day.abandon_rate), False))
    return chosen


def plot(chosen: list[tuple[Day, bool]], path: Path, target: float) -> None:
    """Grouped bars: utilization (share of the bound) per scenario, one bar per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = list(dict.fromkeys(day.scenario for day, _ in chosen))
    methods = list(METHODS)
    width = 0.8 / len(methods)
    figure, axes = plt.subplots(figsize=(9, 5))
    for index, method in enumerate(methods):
        found = [
            next(((day.of_bound, kept) for day, kept in chosen
                  if day.scenario == scenario and day.method == method), (0.0, True))
            for scenario in scenarios
        ]  # fmt: skip
        positions = [s + (index - (len(methods) - 1) / 2) * width for s in range(len(scenarios))]
        bars = axes.bar(positions, [value for value, _ in found], width, label=method)
        for bar, (_, kept) in zip(bars, found, strict=True):
            if not kept:
                bar.set_hatch("//")  # over the target even at its best setting
    axes.set_xticks(range(len(scenarios)), scenarios)
    axes.set_ylabel("utilization / bound")
    axes.set_ylim(0, 1)
    axes.set_title(
        f"Each method at its best within a {target:g} % abandon target (hatched: none kept it)"
    )
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    figure.tight_layout()
    figure.savefig(path)


def main(
    scenarios: Annotated[str, typer.Option(help="Comma-separated scenarios.")] = ",".join(
        SCENARIOS
    ),
    target: Annotated[float, typer.Option(help="The abandon target, %.")] = 3.0,
    seed: Annotated[int, typer.Option(help="The simulation seed.")] = 1,
    hours: Annotated[float | None, typer.Option(help="Shorter days.")] = None,
    jobs: Annotated[int, typer.Option(help="Days played at once (processes).")] = 2,
    plot_file: Annotated[Path | None, typer.Option("--plot", help="Draw the bars here.")] = None,
) -> None:
    """Print (and plot) each method's best day within the target, per scenario."""
    names = scenarios.split(",")
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise typer.BadParameter(f"unknown scenario(s): {', '.join(unknown)}")
    # The published pacers live beside this file: worker processes import them by that name.
    sys.path.insert(0, str(Path(__file__).parent))
    days = [
        Day(scenario, method, setting, mode, pacer)
        for scenario in names
        for method, settings in METHODS.items()
        for setting, mode, pacer in settings
    ]
    played: list[Day] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for day in pool.map(_play_star, [(day, target, seed, hours) for day in days]):
            played.append(day)
            console.print(
                f"[{len(played)}/{len(days)}] {day.scenario} {day.method} ({day.setting}):"
                f" {day.of_bound:.3f} of bound, {day.abandon_rate:.2%} abandoned"
            )
    chosen = best_days(played, target)
    table = Table(title=f"Each method at its best within {target:g} % abandons (seed {seed})")
    for column in ("scenario", "method", "best setting", "of bound", "abandon", "worst hour"):
        table.add_column(column, justify="right")
    for day, kept in chosen:
        setting = day.setting if kept else f"[red]none kept the target[/red]; {day.setting}"
        table.add_row(day.scenario, day.method, setting, f"{day.of_bound:.3f}",
                      f"{day.abandon_rate:.2%}", f"{day.worst_hour:.2%}")  # fmt: skip
    console.print(table)
    if plot_file is not None:
        plot(chosen, plot_file, target)
        console.print(f"Plotted to {plot_file}.")


if __name__ == "__main__":
    typer.run(main)
