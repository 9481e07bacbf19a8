"""Shapes of a session plan: what is asked, what was observed, what each mode is expected to do."""

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from phonebank.kit.schemas import InputSchema

MAX_CALLERS = 500
MIN_HOURS, MAX_HOURS = 0.25, 12.0


class PlanRequest(InputSchema):
    """How many callers will call, and for how long."""

    callers: int = Field(ge=1, le=MAX_CALLERS, description="Callers logged in (1-500).")
    hours: float = Field(
        ge=MIN_HOURS, le=MAX_HOURS, description="Length of the session in hours (0.25-12)."
    )


class ObservedOut(BaseModel):
    """The rates the plan was simulated with, and where each came from."""

    source: Literal["observed", "defaults", "mixed"] = Field(
        description="`observed`: every figure from the campaign's attempts; `defaults`: none."
    )
    attempts: int = Field(description="Dialed attempts the shares were counted from.")
    human_share: float
    machine_share: float
    busy_share: float
    no_answer_share: float
    failed_share: float
    ring_seconds: float = Field(description="Mean time from dial to a person answering.")
    talk_seconds: float = Field(description="Mean conversation length.")
    wrap_seconds: float = Field(description="Mean wrap-up time after a conversation.")
    talks: int = Field(description="Conversations the talk time was measured on.")
    wrap_ups: int = Field(description="Wrap-ups the wrap-up time was measured on.")
    observed_figures: list[str] = Field(description="Figures taken from the campaign's record.")
    default_figures: list[str] = Field(description="Figures taken from the simulator's defaults.")


class ModeForecastOut(BaseModel):
    """What one dialing mode is expected to achieve over the whole session."""

    contacts: int = Field(description="People reached and talked to.")
    dials: int
    abandoned: int
    abandon_rate: float = Field(description="Abandoned answers over answers by a person (0-1).")
    utilization: float = Field(description="Share of callers' logged-in time spent talking.")
    contacts_per_caller_hour: float
    within_abandon_target: bool


class ModesOut(BaseModel):
    """The three modes side by side."""

    preview: ModeForecastOut
    power: ModeForecastOut
    predictive: ModeForecastOut


class HourlyModeOut(BaseModel):
    """One mode's figures hour by hour (one value per entry of `hour`)."""

    contacts: list[float]
    utilization: list[float]
    abandon_rate: list[float]


class HourlyOut(BaseModel):
    """Series to chart: hours from the start of the session, and each mode's figures."""

    hour: list[int]
    simulated: list[bool] = Field(
        description="False where the hour repeats the last simulated one (a shortened span)."
    )
    preview: HourlyModeOut
    power: HourlyModeOut
    predictive: HourlyModeOut


class PlanOut(BaseModel):
    """A session plan: expected contacts, utilization and abandons of each dialing mode."""

    campaign_id: uuid.UUID
    callers: int
    hours: float
    abandon_target: float = Field(description="The campaign's abandon target, percent.")
    observed: ObservedOut
    simulated_callers: int
    simulated_hours: float
    scaled: bool = Field(description="Whether fewer callers or a shorter span were simulated.")
    scale: float = Field(description="Factor the simulated counts were multiplied by.")
    note: str = Field(description="What was simulated, in words.")
    modes: ModesOut
    hourly: HourlyOut
