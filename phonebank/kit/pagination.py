"""Page-based pagination: `page`, `per_page`, `total` and first/prev/next/last links."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.kit.redaction import without_secrets
from phonebank.kit.schemas import Schema

T = TypeVar("T", bound=BaseModel)
MAX_PER_PAGE = 100
# Past this, the offset would overflow the databases' 64-bit integers long before any data.
MAX_PAGE = 10_000_000


@dataclass(frozen=True)
class PageParams:
    """Which page a client asked for."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.page - 1) * self.per_page


def page_params(
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1."),
    per_page: int = Query(25, ge=1, le=MAX_PER_PAGE, description="Items per page."),
) -> PageParams:
    """Read `page` and `per_page` from the query string."""
    return PageParams(page=page, per_page=per_page)


async def fetch_page(
    session: AsyncSession, statement: Select[Any], params: PageParams
) -> tuple[Sequence[Any], int]:
    """The rows of one page of `statement` and the total number of rows."""
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = (await session.scalars(statement.limit(params.per_page).offset(params.offset))).all()
    return rows, int(total or 0)


class PageLinks(BaseModel):
    """Absolute links to neighbouring pages; absent where there is none."""

    self: str
    first: str
    last: str
    next: str | None = None
    prev: str | None = None


class Page(Schema, Generic[T]):
    """One page of a collection."""

    items: list[T]
    page: int
    per_page: int
    total: int
    total_pages: int
    links: PageLinks


def build_page(
    request: Request,
    params: PageParams,
    rows: Sequence[Any],
    total: int,
    item_schema: type[T],
) -> Page[T]:
    """Wrap `rows` as a Page with links that keep the request's other query parameters."""
    total_pages = max(1, math.ceil(total / params.per_page))

    def link(page: int) -> str:
        return str(
            without_secrets(request.url).include_query_params(page=page, per_page=params.per_page)
        )

    return Page[item_schema](  # type: ignore[valid-type]
        items=[item_schema.model_validate(row) for row in rows],
        page=params.page,
        per_page=params.per_page,
        total=total,
        total_pages=total_pages,
        links=PageLinks(
            self=link(params.page),
            first=link(1),
            last=link(total_pages),
            next=link(params.page + 1) if params.page < total_pages else None,
            prev=link(params.page - 1) if params.page > 1 else None,
        ),
    )
