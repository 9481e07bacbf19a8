"""How carrier events become outcomes: in order, once each, to callers, waiting or the record."""

from collections import deque
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from phonebank.calls.dialing import DialOutcome
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import CarrierEvent
from phonebank.dialer.live import Agent, Dial
from phonebank.dialer.parts import DialerState

# An answered human nobody takes within this many seconds is abandoned (safe-harbor rule).
ABANDON_AFTER_SECONDS = 2.0
SAFE_HARBOR_TEXT = (
    "Sorry we missed you. This call was from a campaign; we will not call again today."
)
# Events of a call that arrive early wait this long for the missing ones before being applied.
REORDER_WAIT_SECONDS = 2.0
# How many finished dials are remembered to ignore their stray events.
ENDED_MEMORY = 5000


class CarrierOutcomes(DialerState):
    """The dialer's carrier side: events applied in order, answers bridged, dials recorded."""

    # State only the carrier side uses (set by `CampaignDialer`).
    dials: dict[str, Dial]
    _orphans: dict[str, list[CarrierEvent]]
    _ended: deque[str]
    _ended_ids: set[str]

    if TYPE_CHECKING:
        # The rest of the dialer these handlers call: pacing (`engine`) and callers
        # (`caller_actions`).
        @property
        def campaign(self) -> Campaign: ...
        def _pace_soon(self) -> None: ...
        def _set_state(self, agent: Agent, state: str, reason: str | None = None) -> None: ...
        def _agent_free(self, agent: Agent) -> None: ...
        def _free_agent(self, dial: Dial) -> Agent | None: ...

    async def on_carrier_event(self, event: CarrierEvent) -> None:
        """Apply a carrier event once, in sequence order, whatever order it arrives in."""
        dial = self.dials.get(event.carrier_call_id)
        if dial is None:
            if event.carrier_call_id in self._ended_ids:
                return  # a late or repeated event of a finished dial
            if event.sequence <= 2:  # may beat `originate` returning its id
                self._orphans.setdefault(event.carrier_call_id, []).append(event)
            return
        if event.sequence <= dial.last_sequence or event.sequence in dial.early:
            return  # a duplicate
        dial.early[event.sequence] = event
        await self._apply_in_order(dial)
        if dial.early and dial.reorder_timer is None:
            dial.reorder_timer = self.clock.call_later(
                REORDER_WAIT_SECONDS, partial(self._apply_late, dial)
            )

    async def _apply_in_order(self, dial: Dial) -> None:
        while (event := dial.early.pop(dial.last_sequence + 1, None)) is not None:
            dial.last_sequence = event.sequence
            await self._apply(dial, event)

    async def _apply_late(self, dial: Dial) -> None:
        # A missing event never came: carry on with what we have, in order.
        dial.reorder_timer = None
        for sequence in sorted(dial.early):
            event = dial.early.pop(sequence)
            dial.last_sequence = sequence
            await self._apply(dial, event)

    async def _apply(self, dial: Dial, event: CarrierEvent) -> None:
        if event.kind == "ringing":
            dial.ringing_at = dial.ringing_at or event.at
            if dial.reserved_for is not None:
                await self.notifier.call_state(dial.reserved_for, dial.placed.call_id, "ringing")
        elif event.kind == "answered" and dial.answered_at is None:
            dial.answered_at, dial.answered_by = event.at, event.answered_by
            if event.answered_by == "machine":
                await self._machine(dial)
            else:
                self.stats.ring.add((event.at - dial.placed_at).total_seconds())
                await self._human(dial)
        elif event.kind == "completed":
            await self._completed(dial, event)

    async def _machine(self, dial: Dial) -> None:
        campaign = self.campaign
        if campaign.voicemail_audio_url:
            await self.carrier.play(
                dial.carrier_call_id, audio_url=campaign.voicemail_audio_url, text=None
            )
        else:
            await self.carrier.hangup(dial.carrier_call_id)

    async def _human(self, dial: Dial) -> None:
        agent = self._free_agent(dial)
        if agent is not None and agent.state in {"available", "dialing"}:
            await self._bridge(dial, agent)
            return
        dial.waiting_since = self.clock.now()
        self.waiting.append(dial)
        dial.timers.append(
            self.clock.call_later(ABANDON_AFTER_SECONDS, partial(self._abandon, dial))
        )

    async def _bridge(self, dial: Dial, agent: Agent) -> None:
        if dial.abandoned or dial.carrier_call_id not in self.dials:
            self._agent_free(agent)
            return
        dial.agent, dial.bridged_at, dial.waiting_since = agent, self.clock.now(), None
        agent.dial = dial
        self._set_state(agent, "connected")
        await self.carrier.bridge(dial.carrier_call_id, str(agent.session_id))
        await self.notifier.connected(agent, dial.placed.call_id)

    async def _abandon(self, dial: Dial) -> None:
        if dial.agent is not None or dial.abandoned or dial.carrier_call_id not in self.dials:
            return
        dial.abandoned = True
        await self.carrier.play(dial.carrier_call_id, audio_url=None, text=SAFE_HARBOR_TEXT)

    async def _completed(self, dial: Dial, event: CarrierEvent) -> None:
        await self._finish(dial, now=event.at, cause=event.cause)

    async def _finish(self, dial: Dial, *, now: datetime, cause: str | None) -> None:
        """A dial ended: record its outcome and move its caller on."""
        if self.dials.pop(dial.carrier_call_id, None) is None:
            return  # already finished
        self._remember_ended(dial.carrier_call_id)
        agent = dial.agent
        if dial.voicemail:
            outcome = "machine"
        elif dial.bridged_at is not None and not dial.unheard:
            outcome = "human"
            self.stats.talk.add((now - dial.bridged_at).total_seconds())
        elif dial.abandoned or dial.waiting_since is not None or dial.unheard:
            # Nobody took the answered contact (a caller put through was already gone).
            outcome = "abandoned"
        elif dial.answered_by == "machine":
            outcome = "machine"
        else:
            outcome = {"busy": "busy", "no_answer": "no_answer", "canceled": "cancelled"}.get(
                cause or "", "failed"
            )
        for timer in dial.timers:
            timer.cancel()
        if dial.reorder_timer is not None:
            dial.reorder_timer.cancel()
        self.stats.dial_ended(outcome, now)
        self.store.pending.outcomes.append(
            DialOutcome(
                attempt_id=dial.placed.attempt_id,
                call_id=dial.placed.call_id,
                outcome=outcome,
                cause=cause,
                carrier=self.carrier.name,
                carrier_call_id=dial.carrier_call_id,
                caller_id=agent.caller_id if agent else None,
                ringing_at=dial.ringing_at,
                answered_at=dial.answered_at,
                bridged_at=dial.bridged_at,
                ended_at=now,
            )
        )
        reserved = dial.reserved_for
        if agent is not None and agent.session_id in self.agents and not dial.released:
            self._set_state(agent, "wrap_up")
            await self.notifier.call_ended(agent, dial.placed.call_id)
        elif reserved is not None and reserved.session_id in self.agents:
            # A preview dial nobody answered: the caller hears how, and is free for the next.
            await self.notifier.call_state(reserved, dial.placed.call_id, outcome)
            reserved.dial = None
            self._set_state(reserved, "available")
        self._pace_soon()

    def _remember_ended(self, carrier_call_id: str) -> None:
        self._ended.append(carrier_call_id)
        self._ended_ids.add(carrier_call_id)
        if len(self._ended) > ENDED_MEMORY:
            self._ended_ids.discard(self._ended.popleft())
