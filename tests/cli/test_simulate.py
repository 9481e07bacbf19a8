"""`phonebank simulate` as a process: drawing is optional, and says what it needs."""

import subprocess
import sys

# Runs the command in an interpreter where matplotlib cannot be imported, as after
# `pip install phonebank` without the `plot` extra.
WITHOUT_MATPLOTLIB = (
    "import sys; sys.modules['matplotlib'] = None; "
    "from phonebank.cli.main import app; app(prog_name='phonebank')"
)


def test_plot_without_matplotlib_is_a_clear_error_before_any_run() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", WITHOUT_MATPLOTLIB, "simulate", "--plot", "day.png"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 2
    assert "phonebank[plot]" in shown.stderr
    assert "utilization" not in shown.stdout  # no table: nothing was simulated
