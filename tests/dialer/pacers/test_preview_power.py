"""Preview and power pacing: the simple arithmetic."""

import pytest

from phonebank.dialer.pacers.power import PowerPacer
from phonebank.dialer.pacers.preview import PreviewPacer
from phonebank.dialer.pacers.registry import load_pacer
from phonebank.errors import Invalid
from tests.dialer.pacers.states import make_state


def test_preview_hands_one_contact_to_each_available_caller() -> None:
    pacer = PreviewPacer()
    assert pacer.previews is True
    assert pacer.dials_to_place(make_state(callers_available=4)) == 4
    assert pacer.dials_to_place(make_state(callers_available=0)) == 0


def test_preview_never_dials_ahead() -> None:
    pacer = PreviewPacer()
    # Lots of history, generous ratio and target, callers about to free: still one per free caller.
    state = make_state(
        callers_available=2,
        callers_connected=10,
        callers_wrap_up=5,
        power_ratio=3.0,
        abandon_target_percent=3.0,
        in_flight_ages=(1.0, 2.0),
    )
    assert pacer.dials_to_place(state) == 2


@pytest.mark.parametrize(
    ("ratio", "available", "in_flight", "expected"),
    [
        (1.0, 5, 0, 5),
        (1.0, 5, 2, 3),
        (1.0, 5, 9, 0),  # never negative
        (2.5, 3, 0, 8),  # ceil(7.5)
        (1.1, 10, 0, 11),  # no float drift up to 12
        (3.0, 0, 0, 0),
    ],
)
def test_power_keeps_ratio_lines_per_available_caller(
    ratio: float, available: int, in_flight: int, expected: int
) -> None:
    state = make_state(
        callers_available=available, power_ratio=ratio, in_flight_ages=(3.0,) * in_flight
    )
    assert PowerPacer().dials_to_place(state) == expected


def test_power_ratio_setting_overrides_the_campaign() -> None:
    state = make_state(callers_available=4, power_ratio=1.0)
    assert PowerPacer(ratio=2.0).dials_to_place(state) == 8
    assert load_pacer("power", ratio=1.5).dials_to_place(state) == 6


def test_power_rejects_a_ratio_that_is_not_positive() -> None:
    with pytest.raises(Invalid) as caught:
        PowerPacer(ratio=0.0)
    assert caught.value.field == "ratio"


def test_registry_builds_each_mode() -> None:
    assert [load_pacer(name).name for name in ("preview", "power", "predictive")] == [
        "preview",
        "power",
        "predictive",
    ]
