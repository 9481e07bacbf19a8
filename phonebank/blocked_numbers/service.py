"""Do-not-call entries: adding (one or many), listing, removing, and the dial-time rule."""

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Exists,
    Select,
    event,
    exists,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.blocked_numbers.schemas import (
    BlockedNumberBulkCreate,
    BlockedNumberCreate,
    BulkEntryError,
    BulkResult,
    NumberCheck,
)
from phonebank.campaigns.models import Campaign
from phonebank.errors import Conflict, Invalid
from phonebank.kit.ownership import get_owned
from phonebank.kit.pagination import PageParams, fetch_page
from phonebank.kit.phones import normalize_phone
from phonebank.organizations.models import Organization

EntryScope = Literal["organization", "campaign"]
# Keeps each `IN (...)` well under the bound-parameter limits of SQLite and asyncpg.
_CHUNK = 500


# --- the dial-time rule ------------------------------------------------------------------------


def _blocking(
    organization_id: uuid.UUID | ColumnExpressionArgument[uuid.UUID],
    number: str | ColumnExpressionArgument[str] | ColumnExpressionArgument[str | None],
    campaign_id: uuid.UUID | ColumnExpressionArgument[uuid.UUID] | None,
) -> ColumnElement[bool]:
    """Entries that block `number` in `campaign_id`: organization-wide ones, and that campaign's."""
    in_scope: ColumnElement[bool] = BlockedNumber.campaign_id.is_(None)
    if campaign_id is not None:
        in_scope = or_(in_scope, BlockedNumber.campaign_id == campaign_id)
    return (
        (BlockedNumber.organization_id == organization_id)
        & (BlockedNumber.number == number)
        & in_scope
    )


def blocked_clause(
    organization_id: uuid.UUID | ColumnExpressionArgument[uuid.UUID],
    number_column: str | ColumnExpressionArgument[str] | ColumnExpressionArgument[str | None],
    campaign_id_column: uuid.UUID | ColumnExpressionArgument[uuid.UUID] | None,
) -> Exists:
    """EXISTS a blocking entry for the number in the campaign (to filter queue queries)."""
    return exists().where(_blocking(organization_id, number_column, campaign_id_column))


async def is_blocked(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    number: str,
    campaign_id: uuid.UUID | None,
) -> bool:
    """Whether the E.164 `number` may not be dialed in the campaign (None: any campaign)."""
    return bool(await session.scalar(select(blocked_clause(organization_id, number, campaign_id))))


async def check_number(
    session: AsyncSession,
    *,
    organization: Organization,
    number: str,
    campaign_id: uuid.UUID | None,
) -> NumberCheck:
    """Whether a number in any form is blocked in the campaign, with the entries that block it."""
    e164 = normalize_phone(number, default_country=organization.default_country, field="number")
    if campaign_id is not None:
        await _get_campaign(session, organization_id=organization.id, campaign_id=campaign_id)
    entries = (
        await session.scalars(
            select(BlockedNumber)
            .where(_blocking(organization.id, e164, campaign_id))
            .order_by(BlockedNumber.created_at, BlockedNumber.id)
        )
    ).all()
    return NumberCheck.model_validate(
        {"number": e164, "blocked": bool(entries), "entries": list(entries)}
    )


# --- entries -----------------------------------------------------------------------------------


async def _get_campaign(
    session: AsyncSession, *, organization_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    return await get_owned(
        session,
        Campaign,
        campaign_id,
        organization_id=organization_id,
        what="campaign",
        field="campaign_id",
    )


def _same_scope(organization_id: uuid.UUID, campaign_id: uuid.UUID | None) -> ColumnElement[bool]:
    """Exactly one scope (what the unique indexes guard), unlike the rule in `_blocking`."""
    if campaign_id is None:
        return (BlockedNumber.organization_id == organization_id) & BlockedNumber.campaign_id.is_(
            None
        )
    return (BlockedNumber.organization_id == organization_id) & (
        BlockedNumber.campaign_id == campaign_id
    )


async def add_blocked_number(
    session: AsyncSession, *, organization: Organization, data: BlockedNumberCreate
) -> BlockedNumber:
    """Block one number, organization-wide or in one campaign; a duplicate is a Conflict."""
    e164 = normalize_phone(data.number, default_country=organization.default_country)
    if data.campaign_id is not None:
        await _get_campaign(session, organization_id=organization.id, campaign_id=data.campaign_id)
    duplicate = await session.scalar(
        select(BlockedNumber.id)
        .where(_same_scope(organization.id, data.campaign_id), BlockedNumber.number == e164)
        .limit(1)
    )
    if duplicate is not None:
        where = "this campaign" if data.campaign_id else "the organization"
        raise Conflict(f"{e164} is already blocked in {where}", field="number")
    entry = BlockedNumber(
        organization_id=organization.id,
        campaign_id=data.campaign_id,
        number=e164,
        reason=data.reason,
    )
    session.add(entry)
    await session.flush()
    return entry


def _insert_ignoring_duplicates(session: AsyncSession) -> Any:
    # A concurrent request may add the same number between our read and our write.
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(BlockedNumber).on_conflict_do_nothing()
    return sqlite_insert(BlockedNumber).on_conflict_do_nothing()


async def add_blocked_numbers(
    session: AsyncSession, *, organization: Organization, data: BlockedNumberBulkCreate
) -> BulkResult:
    """Block many numbers in one scope, skipping ones already there and reporting bad ones."""
    if data.campaign_id is not None:
        await _get_campaign(session, organization_id=organization.id, campaign_id=data.campaign_id)
    errors: list[BulkEntryError] = []
    valid = 0
    unique: dict[str, None] = {}  # E.164 numbers in the order given
    for index, raw in enumerate(data.numbers):
        try:
            e164 = normalize_phone(raw, default_country=organization.default_country)
        except Invalid as error:
            errors.append(BulkEntryError(index=index, number=raw, reason=error.detail))
            continue
        valid += 1
        unique.setdefault(e164)
    numbers = list(unique)
    present: set[str] = set()
    for start in range(0, len(numbers), _CHUNK):
        present.update(
            await session.scalars(
                select(BlockedNumber.number).where(
                    _same_scope(organization.id, data.campaign_id),
                    BlockedNumber.number.in_(numbers[start : start + _CHUNK]),
                )
            )
        )
    new = [number for number in numbers if number not in present]
    if new:
        await session.execute(
            _insert_ignoring_duplicates(session),
            [
                {
                    "organization_id": organization.id,
                    "campaign_id": data.campaign_id,
                    "number": number,
                    "reason": data.reason,
                }
                for number in new
            ],
        )
        note_block_list_changed()  # a bulk insert fires no per-row ORM event
    return BulkResult(
        added=len(new), already_present=valid - len(new), invalid=len(errors), errors=errors
    )


async def get_blocked_number(
    session: AsyncSession, *, organization_id: uuid.UUID, blocked_number_id: uuid.UUID
) -> BlockedNumber:
    """One entry of the organization, or NotFound."""
    return await get_owned(
        session,
        BlockedNumber,
        blocked_number_id,
        organization_id=organization_id,
        what="blocked number",
    )


async def delete_blocked_number(session: AsyncSession, *, entry: BlockedNumber) -> None:
    """Unblock: remove one entry."""
    await session.delete(entry)
    await session.flush()


def _filtered(
    organization: Organization,
    *,
    campaign_id: uuid.UUID | None,
    scope: EntryScope | None,
    number: str | None,
) -> Select[BlockedNumber]:
    statement = select(BlockedNumber).where(BlockedNumber.organization_id == organization.id)
    if campaign_id is not None:
        statement = statement.where(BlockedNumber.campaign_id == campaign_id)
    if scope == "organization":
        statement = statement.where(BlockedNumber.campaign_id.is_(None))
    elif scope == "campaign":
        statement = statement.where(BlockedNumber.campaign_id.is_not(None))
    if number:
        e164 = normalize_phone(number, default_country=organization.default_country)
        statement = statement.where(BlockedNumber.number == e164)
    return statement.order_by(BlockedNumber.created_at.desc(), BlockedNumber.id)


async def list_blocked_numbers(
    session: AsyncSession,
    *,
    organization: Organization,
    params: PageParams,
    campaign_id: uuid.UUID | None = None,
    scope: EntryScope | None = None,
    number: str | None = None,
) -> tuple[Sequence[BlockedNumber], int]:
    """A page of the organization's entries, newest first, optionally filtered."""
    statement = _filtered(organization, campaign_id=campaign_id, scope=scope, number=number)
    return await fetch_page(session, statement, params)


# In-process count of block-list changes: a dialer holding calls it claimed a moment ago
# re-checks them against the block list only when this has moved since it claimed them.
_block_list_changes = [0]


def block_list_version() -> int:
    """A number that changes whenever a number is blocked in this process."""
    return _block_list_changes[0]


def note_block_list_changed(*_args: object) -> None:
    """Record that the block list changed (called on every insert of a blocked number)."""
    _block_list_changes[0] += 1


event.listen(BlockedNumber, "after_insert", note_block_list_changed)


async def blocked_among(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_id: uuid.UUID,
    numbers: Sequence[str],
) -> set[str]:
    """Which of the E.164 `numbers` may not be dialed in the campaign, in one query."""
    if not numbers:
        return set()
    found = await session.scalars(
        select(BlockedNumber.number).where(
            BlockedNumber.organization_id == organization_id,
            BlockedNumber.number.in_(list(numbers)),
            or_(BlockedNumber.campaign_id.is_(None), BlockedNumber.campaign_id == campaign_id),
        )
    )
    return set(found)
