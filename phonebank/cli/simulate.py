"""`phonebank simulate`: play a campaign day on a virtual clock and print how it went."""

import asyncio
import importlib.util
import json
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from phonebank.dialer.pacers.registry import register_path
from phonebank.dialer.simulation import (
    MODES,
    SimulationResult,
    load_scenario,
    run_simulation,
)

console = Console(stderr=True)
# Simulated days start at 09:00 in the contacts' zone.
START_HOUR = 9
COLUMNS = [
    ("mode", "mode", "{}"),
    ("dials", "dials", "{:,}"),
    ("humans", "human_answers", "{:,}"),
    ("machines", "machine_answers", "{:,}"),
    ("abandoned", "abandoned", "{:,}"),
    ("abandon %", "abandon_rate", "{:.2%}"),
    ("max hourly %", "max_hourly_abandon_rate", "{:.2%}"),
    ("utilization", "agent_utilization", "{:.3f}"),
    ("of bound", "utilization_of_bound", "{:.3f}"),
    ("talk min/agent h", "talk_minutes_per_agent_hour", "{:.1f}"),
    ("contacts/agent h", "contacts_per_agent_hour", "{:.2f}"),
    ("wait s", "mean_agent_wait_seconds", "{:.1f}"),
    ("wall s", "wall_seconds", "{:.1f}"),
]


def simulate(
    scenario: Annotated[
        str | None, typer.Option(help="volunteer-small, phonebank or callcenter.")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="JSON file with scenario fields.")] = None,
    mode: Annotated[str, typer.Option(help="preview, power, predictive or all.")] = "all",
    pacer: Annotated[
        str | None, typer.Option(help="A registered pacer's name, or package.module:Class.")
    ] = None,
    abandon_target: Annotated[float, typer.Option(help="Abandon target, percent (0-3).")] = 3.0,
    hours: Annotated[float | None, typer.Option(help="Length of the day in hours.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per mode.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Draw utilization and abandons (PNG).")] = None,
) -> None:
    """Run the real dialer engine on a virtual clock against simulated contacts and callers."""
    if scenario is None and config is None:
        scenario = "phonebank"
    try:
        chosen = load_scenario(scenario, config)
    except (ValueError, OSError, TypeError) as error:
        raise typer.BadParameter(str(error)) from None
    if hours is not None:
        chosen = replace(chosen, hours=hours)
    if not 0 <= abandon_target <= 3:
        raise typer.BadParameter("the abandon target is a percentage from 0 to 3")
    if pacer is not None and ":" in pacer:
        # The operator's own command line may name a class; campaigns then know it by a name.
        try:
            pacer = register_path(pacer)
        except (ImportError, AttributeError, TypeError) as error:
            raise typer.BadParameter(f"cannot load pacer {pacer!r}: {error}") from None
    modes = list(MODES) if mode == "all" else [mode]
    if any(m not in MODES for m in modes):
        raise typer.BadParameter(f"mode must be one of {', '.join(MODES)} or all")
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        # Drawing is optional, so the server does not carry matplotlib: say so before a long run.
        raise typer.BadParameter(
            "drawing needs matplotlib: pip install 'phonebank[plot]'", param_hint="--plot"
        )
    results: list[SimulationResult] = []
    with Progress(console=console, transient=True) as progress:
        for name in modes:
            task = progress.add_task(f"{chosen.name} / {name}", total=1.0)
            result = asyncio.run(
                run_simulation(
                    chosen,
                    mode=name,
                    abandon_target=abandon_target,
                    seed=seed,
                    pacer=pacer,
                    progress=partial(_advance, progress, task),
                )
            )
            results.append(result)
            if as_json:
                payload = result.as_json()
                payload.pop("hourly")
                typer.echo(json.dumps(payload))
    if not as_json:
        _print_table(results, chosen.name, abandon_target)
    if plot is not None:
        _plot(results, plot)
        console.print(f"plot written to {plot}")


def _advance(progress: Progress, task: TaskID, share: float) -> None:
    progress.update(task, completed=share)


def _print_table(results: list[SimulationResult], scenario: str, target: float) -> None:
    first = results[0]
    table = Table(
        title=f"{scenario}: {first.callers} callers, {first.hours:g} h, abandon target {target}%"
    )
    for header, _, _ in COLUMNS:
        table.add_column(header, justify="right")
    for result in results:
        values = result.as_json()
        table.add_row(*(fmt.format(values[key]) for _, key, fmt in COLUMNS))
    Console().print(table)


def _plot(results: list[SimulationResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (utilization_axis, abandon_axis) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for result in results:
        hours = [START_HOUR + point["hour"] + 0.5 for point in result.hourly]
        abandon_axis.plot(hours, [100 * p["abandon_rate"] for p in result.hourly],
                          marker="o", label=result.mode)  # fmt: skip
        utilization_axis.plot(hours, [p.get("utilization", 0.0) for p in result.hourly],
                              marker="o", label=result.mode)  # fmt: skip
    abandon_axis.axhline(100 * results[0].abandon_target, color="red", linestyle="--",
                         label="target")  # fmt: skip
    abandon_axis.set_ylabel("abandon rate, %")
    abandon_axis.set_xlabel("local time of the contacts (hour)")
    utilization_axis.set_ylabel("agent utilization")
    utilization_axis.set_title(f"{results[0].scenario}: {results[0].callers} callers")
    for axis in (utilization_axis, abandon_axis):
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
