"""What callers ask of a campaign's engine, with the rules of when they may: one implementation.

The caller API, the phones-only keypad and supervisors name a command and a caller session;
`execute` applies the rules against the engine's live state and acts. It runs where the engine
runs: directly in the process that drives the campaign, or in a dialer worker that received the
command from an API process (`remote.py`). Either way the answer is a `Reply`: the session as
the engine sees it after the action, in plain values that travel as JSON.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.live import Agent
from phonebank.errors import Conflict


@dataclass(frozen=True)
class AgentView:
    """A caller session as the engine sees it: state, the contact in hand, its call."""

    state: str
    since: datetime | None
    call_id: uuid.UUID | None = None
    attempt_id: uuid.UUID | None = None
    call_state: str | None = None
    # Whether a dial of theirs is still in hand (connected, or wrapping it up).
    on_dial: bool = False

    def to_json(self) -> dict[str, Any]:
        """The view as JSON values."""
        return {
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "call_id": str(self.call_id) if self.call_id else None,
            "attempt_id": str(self.attempt_id) if self.attempt_id else None,
            "call_state": self.call_state,
            "on_dial": self.on_dial,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AgentView":
        """The view from its JSON values."""
        return cls(
            state=data["state"],
            since=datetime.fromisoformat(data["since"]) if data["since"] else None,
            call_id=uuid.UUID(data["call_id"]) if data["call_id"] else None,
            attempt_id=uuid.UUID(data["attempt_id"]) if data["attempt_id"] else None,
            call_state=data["call_state"],
            on_dial=data["on_dial"],
        )


@dataclass(frozen=True)
class Reply:
    """The engine's answer: the session after the command, and the command's own value."""

    agent: AgentView | None
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        """The reply as JSON values."""
        return {"agent": self.agent.to_json() if self.agent else None, "value": self.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Reply":
        """The reply from its JSON values."""
        agent = data.get("agent")
        return cls(AgentView.from_json(agent) if agent else None, data.get("value"))


def _call_state(agent: Agent) -> str | None:
    dial = agent.dial
    if dial is None:
        return None
    if dial.transferred:
        return "transferred"
    if agent.state in {"wrap_up", "paused"}:  # paused with a call in hand: it is over
        return "ended"
    if dial.bridged_at is not None:
        return "connected"
    return "ringing" if dial.ringing_at is not None else "dialing"


def view_of(agent: Agent | None) -> AgentView | None:
    """What the caller's page may know of the engine's view of them."""
    if agent is None:
        return None
    placed = agent.preview or (agent.dial.placed if agent.dial is not None else None)
    return AgentView(
        state=agent.state,
        since=agent.since,
        call_id=placed.call_id if placed else None,
        attempt_id=placed.attempt_id if placed else None,
        call_state=_call_state(agent),
        on_dial=agent.dial is not None,
    )


def _agent(dialer: CampaignDialer, session_id: uuid.UUID) -> Agent:
    agent = dialer.agents.get(session_id)
    if agent is None:
        raise Conflict("the dialer has not taken your session yet: try again in a moment")
    return agent


def _in_state(
    dialer: CampaignDialer, session_id: uuid.UUID, states: set[str], refusal: str
) -> Agent:
    agent = _agent(dialer, session_id)
    if agent.state not in states:
        raise Conflict(f"you are {agent.state}: {refusal}")
    return agent


async def _carrier_can(action: Awaitable[object]) -> None:
    # A carrier without the feature says so; the client gets a clear refusal, not a 500.
    try:
        await action
    except NotImplementedError as error:
        raise Conflict(str(error)) from None


Handler = Callable[[CampaignDialer, uuid.UUID, dict[str, Any]], Awaitable[Any]]


async def _view(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    return None


async def _join(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    if session_id not in dialer.agents:
        dialer.join(session_id, uuid.UUID(str(args["caller_id"])))


async def _leave(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    agent = dialer.agents.get(session_id)
    if agent is not None and agent.state == "connected":
        await dialer.hang_up(session_id)
    dialer.leave(session_id)


async def _pause(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    agent = _agent(dialer, session_id)
    if agent.state not in {"available", "paused"}:
        raise Conflict(f"you are {agent.state}: pause between calls", field="paused")
    dialer.pause(session_id, bool(args["paused"]))


async def _dial_preview(
    dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]
) -> None:
    if _agent(dialer, session_id).preview is None:
        raise Conflict("there is no contact to dial: wait for a preview")
    await dialer.dial_preview(session_id)


async def _skip_preview(
    dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]
) -> None:
    if _agent(dialer, session_id).preview is None:
        raise Conflict("there is no contact to skip")
    dialer.skip_preview(session_id)


async def _hang_up(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    _in_state(dialer, session_id, {"connected"}, "there is no call to hang up")
    await dialer.hang_up(session_id)


async def _transfer(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    _in_state(dialer, session_id, {"connected"}, "there is no call to transfer")
    await _carrier_can(dialer.transfer(session_id, str(args["number"]), warm=bool(args["warm"])))


async def _drop_voicemail(
    dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]
) -> None:
    _in_state(dialer, session_id, {"connected"}, "there is no call to leave a message on")
    await dialer.drop_voicemail(session_id)


async def _monitor(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    agent = _agent(dialer, session_id)
    if agent.state != "connected":
        raise Conflict(f"the caller is {agent.state}: there is no call to join")
    supervisor, mode = str(args["supervisor"]), str(args["mode"])
    await _carrier_can(dialer.monitor(session_id, supervisor=supervisor, mode=mode))


async def _phone_hang_up(
    dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]
) -> bool:
    # A phones-only caller pressed `*`: end the call if there is one (no refusal on a phone).
    agent = dialer.agents.get(session_id)
    if agent is None or agent.state != "connected":
        return False
    await dialer.hang_up(session_id)
    return True


async def _submit(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> None:
    # The result is stored by whoever received it; the engine only frees the caller.
    await dialer.submit(session_id, str(args["disposition"]), record=False)


async def _in_flight(dialer: CampaignDialer, session_id: uuid.UUID, args: dict[str, Any]) -> int:
    return sum(1 for dial in dialer.dials.values() if dial.answered_at is None)


COMMANDS: dict[str, Handler] = {
    "view": _view,
    "join": _join,
    "leave": _leave,
    "pause": _pause,
    "dial_preview": _dial_preview,
    "skip_preview": _skip_preview,
    "hang_up": _hang_up,
    "transfer": _transfer,
    "drop_voicemail": _drop_voicemail,
    "monitor": _monitor,
    "phone_hang_up": _phone_hang_up,
    "submit": _submit,
    "in_flight": _in_flight,
}
# Sent without a caller session: about the whole campaign.
CAMPAIGN_SESSION = uuid.UUID(int=0)


async def execute(
    dialer: CampaignDialer, command: str, session_id: uuid.UUID, args: dict[str, Any]
) -> Reply:
    """Apply a command's rules and carry it out; Conflict when the session cannot do it now."""
    handler = COMMANDS.get(command)
    if handler is None:
        raise ValueError(f"unknown dialer command {command!r}")
    value = await handler(dialer, session_id, args)
    return Reply(view_of(dialer.agents.get(session_id)), value)


class EngineLink:
    """How a request reaches its campaign's engine; the base reaches none (not dialing)."""

    async def ask(self, command: str, session_id: uuid.UUID, **args: Any) -> Reply | None:
        """The engine's reply, or None when no engine drives the campaign."""
        return None


class LocalLink(EngineLink):
    """The engine runs in this process: commands are plain calls."""

    def __init__(self, dialer: CampaignDialer) -> None:
        self.dialer = dialer

    async def ask(self, command: str, session_id: uuid.UUID, **args: Any) -> Reply | None:
        """Carry the command out here."""
        return await execute(self.dialer, command, session_id, args)


NO_ENGINE = EngineLink()


def link_to(dialer: CampaignDialer | None) -> EngineLink:
    """A link to an engine of this process (or to none)."""
    return LocalLink(dialer) if dialer is not None else NO_ENGINE
