"""`POST /api/v1/people/import`: a CSV file of people, optionally added to a campaign or list."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal
from phonebank.calls.filling import fill_campaign
from phonebank.campaigns.service import get_campaign
from phonebank.errors import Invalid
from phonebank.kit.ownership import get_owned
from phonebank.kit.schemas import Schema
from phonebank.lists.models import PersonList
from phonebank.lists.service import add_people
from phonebank.organizations.service import get_organization
from phonebank.people.importing import import_people, parse_mapping

router = APIRouter(prefix="/people", tags=["people"])
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class RowErrorOut(Schema):
    """A row that was not imported: its number in the file (the header is row 1), and why."""

    row: int
    field: str
    reason: str


class ImportOut(Schema):
    """What the import did."""

    rows: int
    created: int
    updated: int
    added_to_campaign: int
    added_to_list: int
    errors: list[RowErrorOut]


@router.post("/import", response_model=ImportOut)
async def import_people_csv(
    principal: Annotated[Principal, Depends(require(Scope.PEOPLE_WRITE))],
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV with a header row.")],
    campaign_id: Annotated[uuid.UUID | None, Form(description="Add them to this campaign.")] = None,
    list_id: Annotated[uuid.UUID | None, Form(description="Put them on this list.")] = None,
    map: Annotated[list[str] | None, Form(description="`column=field`, repeatable.")] = None,
) -> ImportOut:
    """Import people from CSV: merged by email and phone, bad rows reported by number."""
    organization = await get_organization(session, principal.organization_id)
    campaign = (
        await get_campaign(session, organization_id=organization.id, campaign_id=campaign_id)
        if campaign_id
        else None
    )
    person_list = (
        await get_owned(
            session,
            PersonList,
            list_id,
            organization_id=organization.id,
            what="list",
            field="list_id",
        )
        if list_id
        else None
    )
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid("the file is larger than 50 MB: use the command line", field="file")
    report = await import_people(
        session,
        organization=organization,
        data=data,
        mapping=parse_mapping(map or []),
        keep_person_ids=campaign is not None or person_list is not None,
    )
    added_to_campaign = added_to_list = 0
    if campaign is not None and report.person_ids:
        added_to_campaign = (
            await fill_campaign(session, campaign=campaign, person_ids=report.person_ids)
        ).added
    if person_list is not None and report.person_ids:
        added_to_list = (
            await add_people(session, person_list=person_list, person_ids=report.person_ids)
        ).added
    return ImportOut(
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        added_to_campaign=added_to_campaign,
        added_to_list=added_to_list,
        errors=[RowErrorOut(row=e.row, field=e.field, reason=e.reason) for e in report.errors],
    )
