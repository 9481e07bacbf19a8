"""`phonebank simulate` runs the real engine on a virtual clock and reports the figures."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from phonebank.dialer.simulation import SCENARIOS, run_simulation

EXPECTED_KEYS = {
    "mode", "callers", "hours", "dials", "human_answers", "machine_answers", "abandoned",
    "abandon_rate", "max_hourly_abandon_rate", "agent_utilization", "utilization_bound",
    "talk_minutes_per_agent_hour", "contacts_per_agent_hour", "mean_agent_wait_seconds",
    "wall_seconds", "dials_per_wall_second",
}  # fmt: skip


async def test_power_day_is_consistent() -> None:
    scenario = replace(SCENARIOS["volunteer-small"], hours=0.25)
    result = await run_simulation(scenario, mode="power", abandon_target=3.0, seed=7)
    assert result.dials > 0
    assert result.dials >= result.human_answers + result.machine_answers > 0
    assert result.abandon_rate == (
        result.abandoned / result.human_answers if result.human_answers else 0.0
    )
    assert result.contacts_per_agent_hour > 0
    assert 0 < result.agent_utilization < result.utilization_bound
    assert result.utilization_bound == 90 / 110
    # The same seed plays the same day.
    again = await run_simulation(scenario, mode="power", abandon_target=3.0, seed=7)
    assert (again.dials, again.human_answers) == (result.dials, result.human_answers)


def test_cli_prints_one_json_object_per_mode(tmp_path: Path) -> None:
    plot = tmp_path / "day.png"
    completed = subprocess.run(
        [
            sys.executable, "-m", "phonebank.cli.main", "simulate", "--scenario",
            "volunteer-small", "--mode", "all", "--hours", "0.1", "--json", "--plot", str(plot),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    assert [line["mode"] for line in lines] == ["preview", "power", "predictive"]
    for line in lines:
        assert set(line) >= EXPECTED_KEYS
    assert plot.stat().st_size > 10_000


def test_cli_refuses_bad_input() -> None:
    for args in (["--scenario", "nope"], ["--mode", "psychic"], ["--abandon-target", "5"]):
        completed = subprocess.run(
            [sys.executable, "-m", "phonebank.cli.main", "simulate", *args],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert completed.returncode != 0
        assert "Traceback" not in completed.stderr
