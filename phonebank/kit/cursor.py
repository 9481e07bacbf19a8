"""Keyset (cursor) pagination over (created_at, id), newest first."""

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from phonebank.errors import Invalid


def encode_cursor(created_at: datetime, object_id: uuid.UUID) -> str:
    """An opaque cursor pointing just after this row."""
    raw = f"{created_at.isoformat()}|{object_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str = "after") -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) inside a cursor, or Invalid naming `field`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, object_id = base64.urlsafe_b64decode(padded).decode().split("|")
        return datetime.fromisoformat(created), uuid.UUID(object_id)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("not a cursor returned by this API", field=field) from None


@dataclass(frozen=True)
class CursorPage:
    """Rows of one keyset page and whether more follow."""

    rows: Sequence[Any]
    has_next: bool
    has_previous: bool


async def fetch_after(
    session: AsyncSession,
    statement: Select[Any],
    *,
    created_at: InstrumentedAttribute[datetime],
    id_column: InstrumentedAttribute[uuid.UUID],
    first: int,
    after: str | None,
) -> CursorPage:
    """Up to `first` rows of `statement` after the cursor, newest first."""
    if after:
        cursor_time, cursor_id = decode_cursor(after)
        statement = statement.where(
            or_(created_at < cursor_time, and_(created_at == cursor_time, id_column < cursor_id))
        )
    statement = statement.order_by(created_at.desc(), id_column.desc()).limit(first + 1)
    rows = (await session.scalars(statement)).all()
    return CursorPage(rows=rows[:first], has_next=len(rows) > first, has_previous=bool(after))
