"""Pages and single rows of a link table (items, taggings, answers): rows reached through an
owner-scoped join, narrowed by the ids a caller gives, newest first."""

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from phonebank.errors import NotFound
from phonebank.kit.filters import FilterExpr, compile_filter, timestamp_filters
from phonebank.kit.pagination import PageParams, fetch_page

Row = TypeVar("Row")
# A column and the id it must equal; None leaves the column free.
Match = tuple[InstrumentedAttribute[uuid.UUID], uuid.UUID | None]


def owned_through(
    model: type[Row], owner: Any, on: ColumnElement[bool], organization_id: uuid.UUID
) -> Select[Row]:
    """`model`'s rows whose `owner` row (joined `on`) belongs to the organization."""
    return select(model).join(owner, on).where(owner.organization_id == organization_id)


async def newest_page(
    session: AsyncSession,
    statement: Select[Row],
    *,
    model: Any,
    params: PageParams,
    matches: Sequence[Match] = (),
    condition: FilterExpr | None = None,
) -> tuple[Sequence[Row], int]:
    """A page of `statement`'s rows equal to the given ids and the filter, most recent first."""
    for column, value in matches:
        if value is not None:
            statement = statement.where(column == value)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(model)))
    statement = statement.order_by(model.created_at.desc(), model.id)
    return await fetch_page(session, statement, params)


async def one_or_not_found(session: AsyncSession, statement: Select[Row], *, missing: str) -> Row:
    """The one row `statement` finds, or NotFound saying `missing`."""
    found: Row | None = await session.scalar(statement)
    if found is None:
        raise NotFound(missing)
    return found
