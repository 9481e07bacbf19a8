"""The plan partial renders the three modes side by side from a plan's JSON."""

from typing import Any

from phonebank.web.router import templates


def _plan(source: str, default_figures: list[str]) -> dict[str, Any]:
    mode = {"contacts": 1234, "contacts_per_caller_hour": 4.2, "utilization": 0.61,
            "abandon_rate": 0.021, "within_abandon_target": True}  # fmt: skip
    return {
        "callers": 10, "hours": 3, "abandon_target": 3.0, "note": "Simulated all 10 callers.",
        "observed": {"source": source, "attempts": 420, "default_figures": default_figures},
        "modes": {"preview": mode, "power": mode,
                  "predictive": {**mode, "abandon_rate": 0.035, "within_abandon_target": False}},
    }  # fmt: skip


def test_the_table_labels_each_mode_and_says_where_rates_came_from() -> None:
    html = templates.get_template("planning/plan_table.html").render(
        plan=_plan("mixed", ["wrap_seconds"])
    )
    expected = ("Preview", "Power", "Predictive", "1,234", "61 %", "3.50 % (over the target)",
                "420 dials", "defaults for wrap seconds", "Simulated all 10 callers.")  # fmt: skip
    for text in expected:
        assert text in html, text
    assert html.count('scope="row"') == 3
    fresh = templates.get_template("planning/plan_table.html").render(plan=_plan("defaults", []))
    assert "the simulator's defaults" in fresh
