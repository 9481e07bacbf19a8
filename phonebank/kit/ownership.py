"""Loading objects by id within one organization: the tenant boundary in one place."""

import uuid
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Invalid, NotFound


class Owned(Protocol):
    """A model with an owning organization."""

    organization_id: Any


T = TypeVar("T", bound=Owned)


async def get_owned(
    session: AsyncSession,
    model: type[T],
    object_id: uuid.UUID,
    *,
    organization_id: uuid.UUID,
    what: str,
    field: str | None = None,
) -> T:
    """The object of `model` with `object_id` in the organization.

    Another organization's object is reported exactly like a missing one, so ids leak nothing.
    Without `field` a miss is NotFound (the URL names a missing thing); with `field` it is
    Invalid naming that field (the body refers to a missing thing).
    """
    found = await session.get(model, object_id)
    if found is None or found.organization_id != organization_id:
        if field is not None:
            raise Invalid(f"no {what} {object_id} in this organization", field=field)
        raise NotFound(f"no {what} {object_id}")
    return found
