"""Callers and caller groups: CRUD, and the password / PIN hashing that caller login reuses."""

import asyncio
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller, CallerGroup
from phonebank.callers.schemas import (
    CallerCreate,
    CallerGroupCreate,
    CallerGroupUpdate,
    CallerUpdate,
)
from phonebank.config import get_settings
from phonebank.errors import Conflict, Invalid
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import normalize_phone
from phonebank.organizations.models import Organization

_hasher = PasswordHasher()
# Columns that exist on every caller: a client may change them but not clear them.
_NOT_NULL_FIELDS = ("name", "phones_only", "is_supervisor", "is_organizer", "active")


# --- secrets -----------------------------------------------------------------------------------


def hash_password(secret: str) -> str:
    """The argon2 hash of a password or PIN."""
    return _hasher.hash(secret)


def verify_password(secret_hash: str | None, secret: str) -> bool:
    """Whether `secret` matches `secret_hash` (False when no hash is stored)."""
    if secret_hash is None:
        return False
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return hash_password("no caller has this password")


async def verify_caller_password(
    session: AsyncSession, *, organization_id: uuid.UUID, email: str, password: str
) -> Caller | None:
    """The active caller with this email and password, or None."""
    caller = await session.scalar(
        select(Caller).where(
            Caller.organization_id == organization_id,
            Caller.email == email.strip().lower(),
            Caller.active.is_(True),
        )
    )
    if caller is None or caller.password_hash is None:
        # Spend the same time as a real check so response times do not reveal who exists.
        await asyncio.to_thread(verify_password, _dummy_hash(), password)
        return None
    if not await asyncio.to_thread(verify_password, caller.password_hash, password):
        return None
    if _hasher.check_needs_rehash(caller.password_hash):
        caller.password_hash = await asyncio.to_thread(hash_password, password)
        await session.flush()
    return caller


def verify_caller_pin(caller: Caller, pin: str) -> bool:
    """Whether `pin` is the caller's PIN."""
    return verify_password(caller.pin_hash, pin)


def pin_lookup(organization_id: uuid.UUID, pin: str) -> str:
    """The keyed digest a PIN login finds its caller by (keyed: a stolen database does not
    give the PINs away by trying the ten thousand of them)."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{organization_id}:{pin}".encode(), hashlib.sha256).hexdigest()


# --- caller groups -----------------------------------------------------------------------------


async def _ensure_group_name_free(
    session: AsyncSession, *, organization_id: uuid.UUID, name: str, group_id: uuid.UUID | None
) -> None:
    statement = select(CallerGroup.id).where(
        CallerGroup.organization_id == organization_id, CallerGroup.name == name
    )
    if group_id is not None:
        statement = statement.where(CallerGroup.id != group_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise Conflict(f"a caller group named {name!r} already exists", field="name")


async def create_caller_group(
    session: AsyncSession, *, organization_id: uuid.UUID, data: CallerGroupCreate
) -> CallerGroup:
    """Store a new caller group; its name must be free in the organization."""
    await _ensure_group_name_free(
        session, organization_id=organization_id, name=data.name, group_id=None
    )
    group = CallerGroup(organization_id=organization_id, **data.model_dump())
    session.add(group)
    await session.flush()
    return group


async def get_caller_group(
    session: AsyncSession, *, organization_id: uuid.UUID, group_id: uuid.UUID
) -> CallerGroup:
    """One caller group of the organization, or NotFound."""
    return await get_owned(
        session, CallerGroup, group_id, organization_id=organization_id, what="caller group"
    )


async def update_caller_group(
    session: AsyncSession, *, group: CallerGroup, data: CallerGroupUpdate
) -> CallerGroup:
    """Apply the fields present in `data`."""
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        if changes["name"] is None:
            raise Invalid("name cannot be null", field="name")
        await _ensure_group_name_free(
            session, organization_id=group.organization_id, name=changes["name"], group_id=group.id
        )
    for name, value in changes.items():
        setattr(group, name, value)
    await session.flush()
    return group


async def delete_caller_group(session: AsyncSession, *, group: CallerGroup) -> None:
    """Remove a caller group; its callers and campaigns are left without a group."""
    await session.delete(group)
    await session.flush()


async def list_caller_groups(
    session: AsyncSession, *, organization_id: uuid.UUID, params: PageParams
) -> tuple[Sequence[CallerGroup], int]:
    """A page of the organization's caller groups, by name."""
    statement = (
        select(CallerGroup)
        .where(CallerGroup.organization_id == organization_id)
        .order_by(CallerGroup.name, CallerGroup.id)
    )
    return await fetch_page(session, statement, params)


# --- callers -----------------------------------------------------------------------------------


async def _ensure_email_free(
    session: AsyncSession, *, organization_id: uuid.UUID, email: str, caller_id: uuid.UUID | None
) -> None:
    statement = select(Caller.id).where(
        Caller.organization_id == organization_id, Caller.email == email
    )
    if caller_id is not None:
        statement = statement.where(Caller.id != caller_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise Conflict(f"another caller has the email {email!r}", field="email")


async def _apply_caller_changes(
    session: AsyncSession, *, organization: Organization, caller: Caller, changes: dict[str, Any]
) -> None:
    """Validate and set `changes` on `caller`; shared by create and update."""
    for name in _NOT_NULL_FIELDS:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be null", field=name)
    if changes.get("email") is not None:
        changes["email"] = changes["email"].lower()
        await _ensure_email_free(
            session, organization_id=organization.id, email=changes["email"], caller_id=caller.id
        )
    if changes.get("phone_number") is not None:
        changes["phone_number"] = normalize_phone(
            changes["phone_number"],
            default_country=organization.default_country,
            field="phone_number",
        )
    if changes.get("caller_group_id") is not None:
        await get_owned(
            session,
            CallerGroup,
            changes["caller_group_id"],
            organization_id=organization.id,
            what="caller group",
            field="caller_group_id",
        )
    # argon2 is deliberately slow: hash off the event loop.
    if "password" in changes:
        password = changes.pop("password")
        caller.password_hash = (
            await asyncio.to_thread(hash_password, password) if password else None
        )
    if "pin" in changes:
        pin = changes.pop("pin")
        caller.pin_hash = await asyncio.to_thread(hash_password, pin) if pin else None
        caller.pin_lookup = pin_lookup(organization.id, pin) if pin else None
    for name, value in changes.items():
        setattr(caller, name, value)
    if caller.is_organizer:
        # Organizers supervise too: the floor and reports are part of running a campaign.
        caller.is_supervisor = True
    if caller.phones_only and not caller.phone_number:
        raise Invalid(
            "a caller who calls from a phone only needs a phone_number", field="phone_number"
        )


async def create_caller(
    session: AsyncSession, *, organization: Organization, data: CallerCreate
) -> Caller:
    """Store a new caller; the password and PIN are stored as argon2 hashes."""
    caller = Caller(organization_id=organization.id)
    await _apply_caller_changes(
        session, organization=organization, caller=caller, changes=data.model_dump()
    )
    session.add(caller)
    await session.flush()
    return caller


async def get_caller(
    session: AsyncSession, *, organization_id: uuid.UUID, caller_id: uuid.UUID
) -> Caller:
    """One caller of the organization, or NotFound."""
    return await get_owned(
        session, Caller, caller_id, organization_id=organization_id, what="caller"
    )


async def update_caller(
    session: AsyncSession, *, organization: Organization, caller: Caller, data: CallerUpdate
) -> Caller:
    """Apply the fields present in `data`; a null password or PIN removes it."""
    await _apply_caller_changes(
        session,
        organization=organization,
        caller=caller,
        changes=data.model_dump(exclude_unset=True),
    )
    await session.flush()
    return caller


async def deactivate_caller(session: AsyncSession, *, caller: Caller) -> Caller:
    """Mark a caller inactive; the row stays so past sessions and attempts keep their caller."""
    caller.active = False
    await session.flush()
    return caller


def _filtered_callers(
    organization_id: uuid.UUID,
    *,
    caller_group_id: uuid.UUID | None,
    active: bool | None,
    query: str | None,
) -> Select[Caller]:
    statement = select(Caller).where(Caller.organization_id == organization_id)
    if caller_group_id is not None:
        statement = statement.where(Caller.caller_group_id == caller_group_id)
    if active is not None:
        statement = statement.where(Caller.active == active)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(func.lower(Caller.name).like(pattern), func.lower(Caller.email).like(pattern))
        )
    return statement.order_by(Caller.name, Caller.id)


async def list_callers(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    caller_group_id: uuid.UUID | None = None,
    active: bool | None = None,
    query: str | None = None,
) -> tuple[Sequence[Caller], int]:
    """A page of the organization's callers, by name, optionally filtered."""
    statement = _filtered_callers(
        organization_id, caller_group_id=caller_group_id, active=active, query=query
    )
    return await fetch_page(session, statement, params)


async def callers_by_id(
    session: AsyncSession, *, organization_id: uuid.UUID, caller_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Caller]:
    """The organization's callers among `caller_ids`, by id (others are left out)."""
    if not caller_ids:
        return {}
    rows = await session.scalars(
        select(Caller).where(
            Caller.organization_id == organization_id, Caller.id.in_(list(caller_ids))
        )
    )
    return {caller.id: caller for caller in rows}


async def caller_groups_by_id(
    session: AsyncSession, *, organization_id: uuid.UUID, group_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CallerGroup]:
    """The organization's caller groups among `group_ids`, by id."""
    if not group_ids:
        return {}
    rows = await session.scalars(
        select(CallerGroup).where(
            CallerGroup.organization_id == organization_id, CallerGroup.id.in_(list(group_ids))
        )
    )
    return {group.id: group for group in rows}
