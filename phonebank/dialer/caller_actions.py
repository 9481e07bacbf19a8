"""What callers do in a running campaign (join, leave, preview, submit, end or hand on a call)."""

import uuid
from collections import deque
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from phonebank.callers.sessions import CurrentState, Span
from phonebank.calls.dialing import PlacedDial
from phonebank.campaigns.models import Campaign
from phonebank.dialer.live import Agent, Dial
from phonebank.dialer.parts import DialerState
from phonebank.dialer.store import SubmittedResult


class CallerActions(DialerState):
    """The dialer's caller side: each caller's state, and what their actions do to their call."""

    # State only the caller side uses (set by `CampaignDialer`).
    left: deque[uuid.UUID]

    if TYPE_CHECKING:
        # The rest of the dialer these actions call: pacing (`engine`) and outcomes (`outcomes`).
        @property
        def campaign(self) -> Campaign: ...
        def _pace_soon(self) -> None: ...
        def _not_dialed(
            self, placed: PlacedDial, now: datetime, *, skipped_by: Agent | None = None
        ) -> None: ...
        async def _originate(
            self, placed: PlacedDial, reserved_for: Agent | None = None
        ) -> None: ...
        async def _bridge(self, dial: Dial, agent: Agent) -> None: ...
        # Presence (`presence`): dials a leaving caller leaves behind.
        def hand_on_soon(self, dial: Dial, leaving: Agent) -> None: ...
        def let_dials_go_soon(self) -> None: ...

    def _set_state(self, agent: Agent, state: str, reason: str | None = None) -> None:
        now = self.clock.now()
        if agent.since is not None and agent.state != state:
            self.store.pending.spans.append(Span(agent.session_id, agent.state, agent.since, now))
        if agent.state == "wrap_up" and state != "wrap_up" and agent.since is not None:
            self.stats.wrap.add((now - agent.since).total_seconds())
        agent.state, agent.since = state, now
        self.store.pending.states[agent.session_id] = CurrentState(
            agent.session_id, state, now, reason
        )
        self.notifier.state_changed(agent)

    def join(self, session_id: uuid.UUID, caller_id: uuid.UUID) -> Agent:
        """A caller session joins the campaign, ready to take calls."""
        agent = Agent(session_id=session_id, caller_id=caller_id, since=self.clock.now())
        self.agents[session_id] = agent
        self._pace_soon()
        return agent

    def leave(self, session_id: uuid.UUID, reason: str | None = None) -> None:
        """A caller session ends (logout, kick, campaign stopped, page gone too long)."""
        # Remembered, so a late rejoin from an older read of the open sessions cannot revive it.
        self.left.append(session_id)
        agent = self.agents.pop(session_id, None)
        if agent is None:
            return
        placed = self._take_preview(agent)
        if placed is not None:
            self._not_dialed(placed, self.clock.now())
        dial = agent.dial
        if agent.state == "dialing" and dial is not None and dial.reserved_for is agent:
            self.hand_on_soon(dial, agent)  # their preview dial: another caller, or hung up
        self._set_state(agent, "ended", reason)
        self.let_dials_go_soon()

    def pause(self, session_id: uuid.UUID, paused: bool) -> None:
        """A caller pauses (no calls offered) or comes back."""
        agent = self.agents.get(session_id)
        if agent is None or agent.state not in {"available", "paused"}:
            return
        self._set_state(agent, "paused" if paused else "available")
        if paused:
            self.let_dials_go_soon()  # lines dialed for them no caller would take
        else:
            # A call kept from a wrap-up that ran too long is theirs no more (its result can
            # still be saved by naming it). Their presence is judged afresh at the next check.
            agent.dial, agent.away_from, agent.absent = None, None, False
            self._agent_free(agent)

    async def submit(self, session_id: uuid.UUID, disposition: str, *, record: bool = True) -> None:
        """The caller saved the result of their call and is ready for the next.

        `record=False` when the result was already stored (the caller API stores it in its
        own transaction): the engine then only frees the caller.
        """
        agent = self.agents.get(session_id)
        if agent is None or agent.state not in {"wrap_up", "paused"} or agent.dial is None:
            return
        dial = agent.dial
        if record:
            self.store.pending.results.append(
                SubmittedResult(
                    call_id=dial.placed.call_id,
                    attempt_id=dial.placed.attempt_id,
                    caller_id=agent.caller_id,
                    disposition=disposition,
                    at=self.clock.now(),
                )
            )
        agent.dial = None
        if agent.state == "paused":
            return  # paused after a long wrap-up, or away: saved, but not made available
        self._set_state(agent, "available")
        self._agent_free(agent)

    async def dial_preview(self, session_id: uuid.UUID) -> None:
        """The previewing caller chose to dial their contact."""
        agent = self.agents.get(session_id)
        placed = None if agent is None else self._take_preview(agent)
        if agent is None or placed is None:
            return
        self._set_state(agent, "dialing")
        await self._originate(placed, reserved_for=agent)

    def skip_preview(self, session_id: uuid.UUID) -> None:
        """The previewing caller skipped their contact."""
        agent = self.agents.get(session_id)
        placed = None if agent is None else self._take_preview(agent)
        if agent is None or placed is None:
            return
        self._not_dialed(placed, self.clock.now(), skipped_by=agent)
        self._set_state(agent, "available")
        self._pace_soon()

    def _take_preview(self, agent: Agent) -> PlacedDial | None:
        # Every way a preview ends goes through here: its timer must not dial the next contact.
        placed, agent.preview = agent.preview, None
        if agent.preview_timer is not None:
            agent.preview_timer.cancel()
            agent.preview_timer = None
        return placed

    async def _preview_time_up(self, session_id: uuid.UUID, placed: PlacedDial) -> None:
        agent = self.agents.get(session_id)
        if agent is not None and agent.preview is placed:  # still the contact the timer was for
            await self.dial_preview(session_id)

    async def hang_up(self, session_id: uuid.UUID) -> None:
        """The caller ended their connected call (or left a warm transfer, which goes on)."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return
        dial = agent.dial
        if dial.transferred:
            await self.carrier.release(dial.carrier_call_id)
            await self._release(agent, dial)
        else:
            await self.carrier.hangup(dial.carrier_call_id)

    async def transfer(self, session_id: uuid.UUID, number: str, *, warm: bool) -> bool:
        """Hand the caller's contact to `number`; a cold transfer frees the caller at once."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        dial = agent.dial
        await self.carrier.transfer(dial.carrier_call_id, number, warm=warm)
        dial.transferred = True
        await self.notifier.call_state(agent, dial.placed.call_id, "transferred")
        if not warm:
            await self._release(agent, dial)
        return True

    async def drop_voicemail(self, session_id: uuid.UUID) -> bool:
        """The caller reached a voicemail: play the campaign's message and move on."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        dial = agent.dial
        await self.carrier.play(
            dial.carrier_call_id, audio_url=self.campaign.voicemail_audio_url, text=None
        )
        dial.voicemail = True
        await self.notifier.call_state(agent, dial.placed.call_id, "voicemail")
        await self._release(agent, dial)
        return True

    async def monitor(self, session_id: uuid.UUID, *, supervisor: str, mode: str) -> bool:
        """A supervisor listens in or breaks in on the caller's connected call."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        await self.carrier.monitor(agent.dial.carrier_call_id, supervisor=supervisor, mode=mode)
        await self.notifier.call_state(agent, agent.dial.placed.call_id, f"monitored_{mode}")
        return True

    async def _release(self, agent: Agent, dial: Dial) -> None:
        # The contact's call goes on without the caller, who wraps up now.
        dial.released = True
        self._set_state(agent, "wrap_up")
        await self.notifier.call_ended(agent, dial.placed.call_id)

    def _agent_free(self, agent: Agent) -> None:
        while self.waiting and agent.state == "available":
            dial = self.waiting.popleft()
            if dial.abandoned or dial.agent is not None:
                continue
            self.clock.call_later(0, partial(self._bridge, dial, agent))
            return
        self._pace_soon()

    def _free_agent(self, dial: Dial) -> Agent | None:
        if dial.reserved_for is not None:
            agent = dial.reserved_for
            return agent if agent.session_id in self.agents else None
        free = [a for a in self.agents.values() if a.state == "available"]
        # The longest-waiting caller takes the call.
        return min(free, key=lambda a: a.since or self.clock.now()) if free else None
