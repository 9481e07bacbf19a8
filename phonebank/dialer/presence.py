"""Who is really on the floor: callers whose page is gone, long wrap-ups, sessions the record
ended, and the dials no caller still there would take.

A caller's page shows it is there through its WebSocket and a heartbeat (`last_seen_at` on the
session, written by whichever API process serves the page); the engine reads it with the
campaign. A caller gone `presence_timeout_seconds` is paused and gets no call; gone
`absent_end_seconds`, the session ends. A wrap-up longer than `wrap_up_max_seconds` pauses the
caller (the result can still be saved). Dials placed for callers who paused, stopped or vanished
go to another free caller, or are hung up before anyone answers them.
"""

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from phonebank.calls.dialing import PlacedDial
from phonebank.campaigns.models import Campaign
from phonebank.dialer.live import Agent, Dial
from phonebank.dialer.outcomes import SAFE_HARBOR_TEXT
from phonebank.dialer.pacers.base import Pacer
from phonebank.dialer.parts import DialerState
from phonebank.dialer.store import SessionRecord

logger = logging.getLogger("phonebank.dialer")


# A page that is there says so at least this often (a third of the presence timeout at most,
# so one late write never pauses anyone).
MAX_SEEN_EVERY_SECONDS = 5.0


def seen_every(presence_timeout_seconds: float) -> float:
    """How often an open page's presence is written."""
    return min(MAX_SEEN_EVERY_SECONDS, presence_timeout_seconds / 3)


@dataclass(frozen=True)
class FloorRules:
    """How long a caller's page may be gone, and a wrap-up may last (settings of `config`)."""

    presence_timeout_seconds: float = 15.0
    absent_end_seconds: float = 120.0
    wrap_up_max_seconds: float = 300.0

    @property
    def seen_every_seconds(self) -> float:
        """How often a page that is there says so."""
        return seen_every(self.presence_timeout_seconds)


class CallerPresence(DialerState):
    """The dialer's floor side: presence, the wrap-up maximum, and dials nobody would take."""

    floor: FloorRules
    dials: dict[str, Dial]
    pacer: Pacer | None
    running: bool

    if TYPE_CHECKING:
        # The rest of the dialer: pacing (`engine`), callers (`caller_actions`).
        @property
        def campaign(self) -> Campaign: ...
        def _pace_soon(self) -> None: ...
        def _set_state(self, agent: Agent, state: str, reason: str | None = None) -> None: ...
        def _agent_free(self, agent: Agent) -> None: ...
        def _take_preview(self, agent: Agent) -> PlacedDial | None: ...
        def _not_dialed(
            self, placed: PlacedDial, now: datetime, *, skipped_by: Agent | None = None
        ) -> None: ...
        def leave(self, session_id: uuid.UUID, reason: str | None = None) -> None: ...
        async def hang_up(self, session_id: uuid.UUID) -> None: ...

    # ------------------------------------------------------------------ what the record says

    async def _check_presence(self, now: datetime) -> None:
        """Follow the record: sessions it ended leave; callers whose page is gone pause, end."""
        if not self.agents:
            return
        records = await self.store.sessions(list(self.agents))
        for session_id, record in records.items():
            agent = self.agents.get(session_id)
            if agent is not None:
                await self._follow_record(agent, record, now)

    async def _follow_record(self, agent: Agent, record: SessionRecord, now: datetime) -> None:
        if record.ended_at is not None:
            await self.ended_in_record(agent.session_id)
            return
        if record.last_seen_at is None:
            return  # not a page's session (a phone, a simulated caller)
        gone = (now - record.last_seen_at).total_seconds()
        if gone >= self.floor.absent_end_seconds:
            await self._end(agent, "absent")
        elif gone >= self.floor.presence_timeout_seconds:
            await self._gone(agent, record.last_seen_at)
        elif agent.absent:
            self._back(agent)

    async def ended_in_record(self, session_id: uuid.UUID) -> None:
        """The session was ended by someone else (a kick, a leave the engine did not hear)."""
        await self._end(self.agents.get(session_id), None)

    async def _end(self, agent: Agent | None, reason: str | None) -> None:
        if agent is None:
            return
        if agent.state == "connected":
            await self.hang_up(agent.session_id)
        self.leave(agent.session_id, reason)

    async def _gone(self, agent: Agent, last_seen: datetime) -> None:
        """The caller's page is gone: pause them, and let go of what they held."""
        if agent.absent:
            return
        agent.absent = True
        state, dial = agent.state, agent.dial
        agent.away_from = {"available": "available", "wrap_up": "wrap_up"}.get(state)
        if state == "previewing":
            placed = self._take_preview(agent)
            if placed is not None:
                self._not_dialed(placed, self.clock.now())
            agent.away_from = "available"
        elif state == "dialing" and dial is not None:
            agent.dial = None
            await self._hand_on(dial, agent)
            agent.away_from = "available"
        elif state == "connected" and dial is not None:
            dial.released = True
            seen_until = last_seen + timedelta(seconds=self.floor.seen_every_seconds)
            if dial.bridged_at is not None and dial.bridged_at > seen_until:
                # Put through after the page was gone: the contact heard nobody.
                dial.unheard, agent.dial = True, None
                await self.carrier.play(dial.carrier_call_id, audio_url=None, text=SAFE_HARBOR_TEXT)
                agent.away_from = "available"
            else:
                # They talked, then the caller's page went: the contact is not kept in silence.
                if dial.transferred:
                    await self.carrier.release(dial.carrier_call_id)
                else:
                    await self.carrier.hangup(dial.carrier_call_id)
                agent.away_from = "wrap_up"
        if agent.state != "paused":
            self._set_state(agent, "paused")
        await self.let_dials_go()

    def _back(self, agent: Agent) -> None:
        """The caller's page is back: they carry on where an absence paused them."""
        agent.absent = False
        back_to, agent.away_from = agent.away_from, None
        if agent.state != "paused" or back_to is None:
            return
        if back_to == "wrap_up" and agent.dial is not None:
            self._set_state(agent, "wrap_up")
        else:
            agent.dial = None
            self._set_state(agent, "available")
            self._agent_free(agent)

    def _check_wrap_up(self, now: datetime) -> None:
        """A wrap-up past the maximum pauses the caller; the result can still be saved."""
        limit = self.floor.wrap_up_max_seconds
        if math.isinf(limit):
            return
        for agent in list(self.agents.values()):
            since = agent.since
            if agent.state == "wrap_up" and since and (now - since).total_seconds() >= limit:
                agent.away_from = None
                self._set_state(agent, "paused")

    # ------------------------------------------------------------------ dials nobody takes

    async def _hand_on(self, dial: Dial, leaving: Agent) -> None:
        """A preview dial of a caller who left goes to another free caller, or is hung up."""
        if dial.answered_at is not None or dial.carrier_call_id not in self.dials:
            dial.reserved_for = None  # answered: whoever is free takes it, as any answer
            return
        free = [a for a in self.agents.values() if a.state == "available" and a is not leaving]
        if not free:
            dial.reserved_for = None
            await self._let_go(dial)
            return
        taker = min(free, key=lambda a: a.since or self.clock.now())
        dial.reserved_for, taker.dial = taker, dial
        self._set_state(taker, "dialing")
        await self.notifier.previewing(taker, dial.placed.call_id)
        if dial.ringing_at is not None:
            await self.notifier.call_state(taker, dial.placed.call_id, "ringing")

    def hand_on_soon(self, dial: Dial, leaving: Agent) -> None:
        """`_hand_on` from a caller action that cannot wait (leave)."""
        self.clock.call_later(0, partial(self._hand_on, dial, leaving))

    def let_dials_go_soon(self) -> None:
        """`let_dials_go` from a caller action that cannot wait (pause, leave)."""
        self.clock.call_later(0, self.let_dials_go)

    async def let_dials_go(self) -> None:
        """Hang up unanswered dials no caller still there would take, before anyone answers.

        Preview and power campaigns keep the lines their available callers can take; a
        predictive one dials ahead for busy callers too, so it lets go only when nobody is
        left to take a call.
        """
        if not self.running:
            return
        open_dials = [
            d
            for d in self.dials.values()
            if d.answered_at is None and d.reserved_for is None and not d.let_go
        ]
        if not open_dials:
            return
        available = sum(1 for a in self.agents.values() if a.state == "available")
        name = getattr(self.pacer, "name", "")
        if name == "power":
            ratio = getattr(self.pacer, "ratio", None) or self.campaign.power_ratio
            keep = math.ceil(ratio * available - 1e-9)
        elif name == "preview":
            keep = available
        elif any(a.state != "paused" for a in self.agents.values()):
            return
        else:
            keep = 0
        keep -= sum(1 for d in self.waiting if d.agent is None and not d.abandoned)
        excess = len(open_dials) - max(0, keep)
        # The newest dials go first: the older ones are likelier to be answered soon.
        for dial in sorted(open_dials, key=lambda d: d.placed_at, reverse=True)[: max(0, excess)]:
            await self._let_go(dial)

    async def _let_go(self, dial: Dial) -> None:
        dial.let_go = True
        try:
            await self.carrier.hangup(dial.carrier_call_id)
        except Exception:  # the dial goes on; whatever becomes of it is recorded as it was
            logger.exception("could not hang up %s before an answer", dial.carrier_call_id)
