"""Results: the disposition of each completed contact, read with the person it was about."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Call, Result
from phonebank.errors import NotFound
from phonebank.kit.filters import FilterExpr, compile_filter, timestamp_filters
from phonebank.kit.pagination import PageParams


@dataclass(frozen=True)
class ResultWithPerson:
    """A result and the person its call was to; reads through to the result's fields."""

    result: Result
    person_id: uuid.UUID

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)


def _owned(organization_id: uuid.UUID) -> Select[Result, uuid.UUID]:
    return (
        select(Result, Call.person_id)
        .join(Call, Call.id == Result.call_id)
        .where(Call.organization_id == organization_id)
    )


async def list_results(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    params: PageParams,
    campaign_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    condition: FilterExpr | None = None,
) -> tuple[list[ResultWithPerson], int]:
    """A page of the organization's results, newest first, of one campaign or person if given."""
    statement = _owned(organization_id)
    if campaign_id is not None:
        statement = statement.where(Result.campaign_id == campaign_id)
    if person_id is not None:
        statement = statement.where(Call.person_id == person_id)
    if condition is not None:
        statement = statement.where(compile_filter(condition, timestamp_filters(Result)))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.execute(
        statement.order_by(Result.created_at.desc(), Result.id)
        .limit(params.per_page)
        .offset(params.offset)
    )
    return [ResultWithPerson(result, person) for result, person in rows], int(total or 0)


async def get_result(
    session: AsyncSession, *, organization_id: uuid.UUID, result_id: uuid.UUID
) -> ResultWithPerson:
    """One result of the organization, or NotFound."""
    row = (await session.execute(_owned(organization_id).where(Result.id == result_id))).first()
    if row is None:
        raise NotFound(f"no result {result_id}")
    return ResultWithPerson(row[0], row[1])
