"""What every OSDI route shares: the listing query, collection pages, shown resources, foreign
identifiers and the person a membership links."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import Invalid, NotFound
from phonebank.identifiers.service import add_identifiers, identifiers_of
from phonebank.kit.filters import FilterExpr
from phonebank.kit.pagination import PageParams
from phonebank.osdi.hal import (
    HalResponse,
    collection,
    foreign_only,
    id_from_reference,
    notice,
    osdi_filter,
    osdi_page_params,
)
from phonebank.osdi.schemas import Control, MemberIn
from phonebank.people.service import get_person


class Identified(Protocol):
    """A stored object with an id (foreign identifiers are kept by it)."""

    @property
    def id(self) -> uuid.UUID:
        """The object's id."""
        ...


Row = TypeVar("Row")
IdRow = TypeVar("IdRow", bound=Identified)
# A resource built from a row alone, or from a row and the identifiers other systems gave it.
Shown = Callable[[Row], dict[str, Any]]
ShownWithIds = Callable[[Row, Sequence[str]], dict[str, Any]]
PERSON_LINK = "_links.osdi:person"


@dataclass(frozen=True)
class ListingQuery:
    """A collection request: the URL its page links build on, the page asked for, the filter."""

    request: Request
    params: PageParams
    condition: FilterExpr | None

    def page(self, rel: str, found: tuple[Sequence[Row], int], shown: Shown[Row]) -> HalResponse:
        """The page of `found` rows as an `osdi:<rel>` collection."""
        rows, total = found
        items = [shown(row) for row in rows]
        return HalResponse(
            collection(self.request, rel=rel, items=items, params=self.params, total=total)
        )

    async def page_with_ids(
        self,
        session: AsyncSession,
        rel: str,
        found: tuple[Sequence[IdRow], int],
        *,
        kind: str,
        shown: ShownWithIds[IdRow],
    ) -> HalResponse:
        """The page, each resource with the foreign identifiers kept for it under `kind`."""
        foreign = await identifiers_of(session, kind=kind, object_ids=[row.id for row in found[0]])
        return self.page(rel, found, lambda row: shown(row, foreign.get(row.id, [])))


def listing_query(
    request: Request,
    params: Annotated[PageParams, Depends(osdi_page_params)],
    condition: Annotated[FilterExpr | None, Depends(osdi_filter)],
) -> ListingQuery:
    """The `page`, `per_page` and `filter` of a collection request."""
    return ListingQuery(request=request, params=params, condition=condition)


Listing = Annotated[ListingQuery, Depends(listing_query)]


async def shown_with_ids(
    session: AsyncSession, row: IdRow, *, kind: str, shown: ShownWithIds[IdRow]
) -> HalResponse:
    """One resource with the foreign identifiers kept for it under `kind`."""
    foreign = await identifiers_of(session, kind=kind, object_ids=[row.id])
    return HalResponse(shown(row, foreign.get(row.id, [])))


async def keep_identifiers(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    kind: str,
    object_id: uuid.UUID,
    sent: Sequence[str] | None,
) -> None:
    """Keep the identifiers other systems gave the object (ours name it, they are not kept)."""
    await add_identifiers(
        session,
        organization_id=organization_id,
        kind=kind,
        object_id=object_id,
        identifiers=foreign_only(sent),
    )


class Sent(Protocol):
    """A written resource as a client sends it: identifiers other systems gave, and control."""

    identifiers: list[str] | None
    control: Control


async def created(
    session: AsyncSession,
    row: IdRow,
    *,
    organization_id: uuid.UUID,
    kind: str,
    body: Sent,
    done: str,
    respond: Callable[[AsyncSession, IdRow], Awaitable[Response]],
) -> Response:
    """Keep the identifiers sent for the saved object; then `respond` with the resource, or
    `done` when the client asked for no resource."""
    await keep_identifiers(
        session, organization_id=organization_id, kind=kind, object_id=row.id, sent=body.identifiers
    )
    if not body.control.return_response:
        return notice(done)
    return await respond(session, row)


async def linked_person_id(
    session: AsyncSession, *, organization_id: uuid.UUID, body: MemberIn, purpose: str
) -> uuid.UUID:
    """The id of the person `body` links as `osdi:person`; Invalid naming the link otherwise."""
    person_href = body.link_href("osdi:person")
    if person_href is None:
        raise Invalid(f"link the person to {purpose} as `osdi:person`", field=PERSON_LINK)
    person_id = id_from_reference(person_href, collection="people", field=PERSON_LINK)
    try:
        await get_person(session, organization_id=organization_id, person_id=person_id)
    except NotFound as error:
        raise Invalid(f"no person {person_id}", field=PERSON_LINK) from error
    return person_id
