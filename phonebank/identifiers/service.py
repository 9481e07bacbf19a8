"""Foreign identifiers of objects other than people: add, read, forget."""

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Conflict
from phonebank.identifiers.models import ForeignIdentifier


async def identifiers_of(
    session: AsyncSession, *, kind: str, object_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The foreign identifiers of each object, in the order they were given."""
    if not object_ids:
        return {}
    rows = await session.execute(
        select(ForeignIdentifier.object_id, ForeignIdentifier.identifier)
        .where(ForeignIdentifier.kind == kind, ForeignIdentifier.object_id.in_(object_ids))
        .order_by(ForeignIdentifier.created_at, ForeignIdentifier.identifier)
    )
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    for object_id, identifier in rows:
        found[object_id].append(identifier)
    return dict(found)


async def add_identifiers(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    kind: str,
    object_id: uuid.UUID,
    identifiers: Sequence[str],
) -> None:
    """Give the object these identifiers too; one held by another object of the kind conflicts."""
    wanted = list(dict.fromkeys(identifiers))
    if not wanted:
        return
    held = {
        row.identifier: row.object_id
        for row in await session.scalars(
            select(ForeignIdentifier).where(
                ForeignIdentifier.organization_id == organization_id,
                ForeignIdentifier.kind == kind,
                ForeignIdentifier.identifier.in_(wanted),
            )
        )
    }
    for identifier in wanted:
        owner = held.get(identifier)
        if owner is not None and owner != object_id:
            raise Conflict(
                f"identifier {identifier!r} already belongs to another {kind}",
                field="identifiers",
            )
        if owner is None:
            session.add(
                ForeignIdentifier(
                    organization_id=organization_id,
                    kind=kind,
                    object_id=object_id,
                    identifier=identifier,
                )
            )
    await session.flush()


async def forget_identifiers(session: AsyncSession, *, kind: str, object_id: uuid.UUID) -> None:
    """Drop the identifiers of an object that is gone."""
    await session.execute(
        delete(ForeignIdentifier).where(
            ForeignIdentifier.kind == kind, ForeignIdentifier.object_id == object_id
        )
    )


async def find_object(
    session: AsyncSession, *, organization_id: uuid.UUID, kind: str, identifier: str
) -> uuid.UUID | None:
    """The id of the object of `kind` holding the identifier, if any."""
    return await session.scalar(
        select(ForeignIdentifier.object_id).where(
            ForeignIdentifier.organization_id == organization_id,
            ForeignIdentifier.kind == kind,
            ForeignIdentifier.identifier == identifier,
        )
    )
