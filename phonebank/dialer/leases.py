"""Campaign leases: at most one dialer process drives a campaign, and a dead one's are taken over.

A dialer acquires a campaign's lease with one conditional statement (free, expired, or already
its own), renews every lease it holds every `RENEW_SECONDS`, and releases them when it stops
cleanly. A lease not renewed for `LEASE_SECONDS` may be taken by another dialer, which first
settles the dials the previous holder left open. A holder places no dial unless more than
`DIAL_MARGIN_SECONDS` of its lease remain, and checks the lease again in the transaction that
records claimed calls as being dialed: a dialer that lost its lease never dials again.
"""

import os
import secrets
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.dialer.models import DialerLease

LEASE_SECONDS = 8.0
RENEW_SECONDS = 2.0
# Dialing stops when less than this is left of the lease: a renewal is overdue.
DIAL_MARGIN_SECONDS = 4.0

_leases = cast(Table, DialerLease.__table__)


class LeaseLost(Exception):
    """The campaign's lease is no longer this dialer's: it must stop without writing."""


def new_owner() -> str:
    """A name for this dialer process, unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Lease:
    """A lease this process holds, as it last renewed it."""

    campaign_id: uuid.UUID
    owner: str
    token: int
    expires_at: datetime
    lost: bool = False

    def may_dial(self, now: datetime) -> bool:
        """Whether a dial placed now surely happens while the lease is still ours."""
        left = (self.expires_at - now).total_seconds()
        return not self.lost and left > DIAL_MARGIN_SECONDS


async def acquire(
    session: AsyncSession, *, campaign_id: uuid.UUID, owner: str, now: datetime
) -> Lease | None:
    """Take the campaign's lease if it is free, expired or ours; None when another holds it."""
    expires = now + timedelta(seconds=LEASE_SECONDS)
    values = {
        "campaign_id": campaign_id,
        "owner": owner,
        "token": 1,
        "acquired_at": now,
        "heartbeat": now,
        "expires_at": expires,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created = cast(
        CursorResult[object],
        await session.execute(insert(_leases).values(values).on_conflict_do_nothing()),
    )
    if created.rowcount == 1:
        return Lease(campaign_id, owner, 1, expires)
    token = await session.scalar(
        update(_leases)
        .where(
            _leases.c.campaign_id == campaign_id,
            (_leases.c.expires_at < now) | (_leases.c.owner == owner),
        )
        .values(
            owner=owner,
            token=_leases.c.token + 1,
            acquired_at=now,
            heartbeat=now,
            expires_at=expires,
        )
        .returning(_leases.c.token)
    )
    return Lease(campaign_id, owner, token, expires) if token is not None else None


async def renew(session: AsyncSession, *, owner: str, now: datetime) -> dict[uuid.UUID, int]:
    """Extend every lease `owner` still holds; the campaigns it holds, with their tokens."""
    rows = await session.execute(
        update(_leases)
        .where(_leases.c.owner == owner)
        .values(heartbeat=now, expires_at=now + timedelta(seconds=LEASE_SECONDS))
        .returning(_leases.c.campaign_id, _leases.c.token)
    )
    return {row.campaign_id: row.token for row in rows}


async def hold(session: AsyncSession, *, lease: Lease, now: datetime, margin: bool) -> None:
    """Check (and lock) the lease inside a transaction that writes; LeaseLost if it is gone.

    The row lock orders it with a takeover: whichever commits first, the other sees it. With
    `margin` (claims about to be dialed) enough of the lease must be left to place the dials.
    """
    until = now + timedelta(seconds=DIAL_MARGIN_SECONDS if margin else 0)
    held = cast(
        CursorResult[object],
        await session.execute(
            update(_leases)
            .where(
                _leases.c.campaign_id == lease.campaign_id,
                _leases.c.owner == lease.owner,
                _leases.c.token == lease.token,
                _leases.c.expires_at > until,
            )
            .values(heartbeat=now)
        ),
    )
    if held.rowcount != 1:
        lease.lost = True
        raise LeaseLost(f"lost the lease of campaign {lease.campaign_id}")


async def release(session: AsyncSession, *, lease: Lease) -> None:
    """Give the lease up (a clean stop): another dialer may take the campaign at once."""
    await session.execute(
        delete(_leases).where(
            _leases.c.campaign_id == lease.campaign_id,
            _leases.c.owner == lease.owner,
            _leases.c.token == lease.token,
        )
    )


async def holder(session: AsyncSession, *, campaign_id: uuid.UUID, now: datetime) -> str | None:
    """The dialer that drives the campaign now, if any."""
    return await session.scalar(
        select(_leases.c.owner).where(
            _leases.c.campaign_id == campaign_id, _leases.c.expires_at > now
        )
    )
