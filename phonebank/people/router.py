"""People: `/api/v1/people`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.kit.pagination import Page, PageParams, build_page, page_params
from phonebank.organizations.service import get_organization
from phonebank.people import service
from phonebank.people.schemas import PersonCreate, PersonOut, PersonUpdate

router = APIRouter(prefix="/people", tags=["people"])
Reader = Annotated[Principal, Depends(require(Scope.PEOPLE_READ))]
Writer = Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))]


@router.get("", response_model=Page[PersonOut])
async def list_people(
    request: Request,
    principal: Reader,
    session: DbSession,
    params: Annotated[PageParams, Depends(page_params)],
    email: Annotated[str | None, Query(description="Exact email address.")] = None,
    phone: Annotated[str | None, Query(description="A phone number in any form.")] = None,
    q: Annotated[str | None, Query(description="Part of a given or family name.")] = None,
) -> Page[PersonOut]:
    """List people, newest first, filtered by email, phone or name."""
    organization = await get_organization(session, principal.organization_id)
    rows, total = await service.list_people(
        session, organization=organization, params=params, email=email, phone=phone, query=q
    )
    return build_page(request, params, rows, total, PersonOut)


@router.post("", response_model=PersonOut, status_code=status.HTTP_201_CREATED)
async def create_person(body: PersonCreate, principal: Writer, session: DbSession) -> object:
    """Create a person; phone numbers are stored in E.164."""
    organization = await get_organization(session, principal.organization_id)
    return await service.create_person(session, organization=organization, data=body)


@router.get("/{person_id}", response_model=PersonOut)
async def get_person(person_id: uuid.UUID, principal: Reader, session: DbSession) -> object:
    """One person."""
    return await service.get_person(
        session, organization_id=principal.organization_id, person_id=person_id
    )


@router.patch("/{person_id}", response_model=PersonOut)
async def update_person(
    person_id: uuid.UUID, body: PersonUpdate, principal: Writer, session: DbSession
) -> object:
    """Change a person; lists given replace the stored ones."""
    organization = await get_organization(session, principal.organization_id)
    person = await service.get_person(session, organization_id=organization.id, person_id=person_id)
    return await service.update_person(session, organization=organization, person=person, data=body)


@router.delete("/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_person(person_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Delete a person and their contact details."""
    person = await service.get_person(
        session, organization_id=principal.organization_id, person_id=person_id
    )
    await service.delete_person(session, person=person)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
