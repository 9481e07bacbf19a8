"""What the dialer's parts (caller actions, carrier outcomes) share of its state."""

import uuid
from collections import deque

from phonebank.dialer.carriers.base import Carrier
from phonebank.dialer.clock import Clock
from phonebank.dialer.live import Agent, CallerNotifier, Dial
from phonebank.dialer.stats import OutcomeTracker
from phonebank.dialer.store import DialerStore


class DialerState:
    """The state every part of `CampaignDialer` reads (declared here, set by the dialer)."""

    clock: Clock
    carrier: Carrier
    store: DialerStore
    notifier: CallerNotifier
    stats: OutcomeTracker
    agents: dict[uuid.UUID, Agent]
    waiting: deque[Dial]
