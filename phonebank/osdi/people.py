"""OSDI people, the Person Signup Helper, and each person's taggings, items, answers and
phone bank results."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.calls.results import list_results
from phonebank.lists.service import list_items
from phonebank.organizations.service import get_organization
from phonebank.osdi import representations as show
from phonebank.osdi.hal import HalResponse, foreign_only, notice, validated
from phonebank.osdi.routing import Listing, ListingQuery, Shown
from phonebank.osdi.schemas import PersonIn, SignupIn
from phonebank.osdi.signup import apply_actions, save_person
from phonebank.people import service
from phonebank.people.schemas import PersonUpdate
from phonebank.scripts.answers import list_answers
from phonebank.tags.service import list_taggings

router = APIRouter(prefix="/people", tags=["OSDI people"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]
Row = TypeVar("Row")
# A service listing one person's rows of some kind: taggings, items, answers, results.
PersonRows = Callable[..., Awaitable[tuple[Sequence[Row], int]]]


async def _signup(session: DbSession, principal: Principal, body: SignupIn) -> Response:
    organization = await get_organization(session, principal.organization_id)
    person, _created = await save_person(session, organization, body)
    await apply_actions(session, organization, person, body)
    if not body.control.return_response:
        return notice("The person was saved.")
    await session.refresh(person)
    return HalResponse(show.person(person))


@router.post("/person_signup_helper")
async def person_signup_helper(body: SignupIn, principal: Writer, session: DbSession) -> Response:
    """Person Signup Helper: match by email, then phone, and update, else create; then apply
    tags, lists, answers and triggers."""
    return await _signup(session, principal, body)


@router.get("")
async def list_people(principal: Reader, session: DbSession, listing: Listing) -> Response:
    """People, newest first; `filter` on modified_date, created_date, email_address and
    phone_number."""
    organization = await get_organization(session, principal.organization_id)
    found = await service.list_people(
        session, organization=organization, params=listing.params, condition=listing.condition
    )
    return listing.page("people", found, show.person)


@router.post("")
async def create_person(
    principal: Writer, session: DbSession, body: Annotated[dict[str, Any], Body()]
) -> Response:
    """Create or update a person exactly as the signup helper does (a bare person is accepted)."""
    signup = validated(SignupIn, body if "person" in body else {"person": body})
    return await _signup(session, principal, signup)


@router.get("/{person_id}")
async def get_person(person_id: uuid.UUID, principal: Reader, session: DbSession) -> Response:
    """One person."""
    person = await service.get_person(
        session, organization_id=principal.organization_id, person_id=person_id
    )
    return HalResponse(show.person(person))


@router.put("/{person_id}")
async def update_person(
    person_id: uuid.UUID, body: PersonIn, principal: Writer, session: DbSession
) -> Response:
    """Change the fields sent; arrays sent replace the stored ones, null clears."""
    organization = await get_organization(session, principal.organization_id)
    person = await service.get_person(session, organization_id=organization.id, person_id=person_id)
    data = body.native()
    for name in ("email_addresses", "phone_numbers", "postal_addresses", "identifiers"):
        if name in data and data[name] is None:
            data[name] = []
    if "identifiers" in data:
        data["identifiers"] = foreign_only(data["identifiers"])
    update = validated(PersonUpdate, data)
    person = await service.update_person(
        session, organization=organization, person=person, data=update, lenient_numbers=True
    )
    if not body.control.return_response:
        return notice("The person was updated.")
    await session.refresh(person)
    return HalResponse(show.person(person))


@router.delete("/{person_id}")
async def delete_person(person_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a person with their contact details, taggings, items and answers."""
    person = await service.get_person(
        session, organization_id=principal.organization_id, person_id=person_id
    )
    await service.delete_person(session, person=person)
    return notice("This person was successfully deleted.")


@dataclass(frozen=True)
class PersonListing:
    """A collection request under one person of the organization (checked to exist)."""

    session: AsyncSession
    organization_id: uuid.UUID
    person_id: uuid.UUID
    listing: ListingQuery

    async def page(self, rel: str, rows: PersonRows[Row], shown: Shown[Row]) -> Response:
        """The page of the person's rows that `rows` lists, as an `osdi:<rel>` collection."""
        found = await rows(
            self.session,
            organization_id=self.organization_id,
            params=self.listing.params,
            person_id=self.person_id,
            condition=self.listing.condition,
        )
        return self.listing.page(rel, found, shown)


async def person_listing(
    person_id: uuid.UUID, principal: Reader, session: DbSession, listing: Listing
) -> PersonListing:
    """The collection request of a person's sub-collection; NotFound for an unknown person."""
    org_id = principal.organization_id
    await service.get_person(session, organization_id=org_id, person_id=person_id)
    return PersonListing(session, org_id, person_id, listing)


OfPerson = Annotated[PersonListing, Depends(person_listing)]


@router.get("/{person_id}/taggings")
async def person_taggings(of_person: OfPerson) -> Response:
    """The tags on a person, as taggings."""
    return await of_person.page("taggings", list_taggings, show.tagging)


@router.get("/{person_id}/items")
async def person_items(of_person: OfPerson) -> Response:
    """The lists a person is on, as items."""
    return await of_person.page("items", list_items, show.item)


@router.get("/{person_id}/answers")
async def person_answers(of_person: OfPerson) -> Response:
    """A person's answers to questions, from signups and calls."""
    return await of_person.page("answers", list_answers, show.answer)


@router.get("/{person_id}/phone_bank_results")
async def person_phone_bank_results(of_person: OfPerson) -> Response:
    """The results of the calls that reached a person."""
    return await of_person.page("phone_bank_results", list_results, show.phone_bank_result)
