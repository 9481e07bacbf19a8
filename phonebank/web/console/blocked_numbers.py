"""The do-not-call list: add one number or many (typed or a file), search, remove; for the
whole organization or one campaign. Every change goes through `blocked_numbers.service`."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from phonebank.auth.dependencies import DbSession
from phonebank.blocked_numbers import service
from phonebank.blocked_numbers.schemas import (
    MAX_BULK_NUMBERS,
    BlockedNumberBulkCreate,
    BlockedNumberCreate,
    BulkResult,
)
from phonebank.campaigns.service import list_campaigns
from phonebank.errors import DomainError, NotFound
from phonebank.kit.pagination import PageParams
from phonebank.web.console.access import Missing, Organizer, Visitor, page, see_other
from phonebank.web.console.forms import FormErrors, text, validated

router = APIRouter(prefix="/admin/do-not-call")
ON_PAGE = 100
MAX_UPLOAD_BYTES = 2_000_000


async def _page(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    *,
    errors: FormErrors | None = None,
    report: BulkResult | None = None,
    status_code: int = 200,
) -> Response:
    number = request.query_params.get("number") or None
    campaign = request.query_params.get("campaign_id") or None
    filters = FormErrors()
    try:
        campaign_id = uuid.UUID(campaign) if campaign else None
    except ValueError:
        campaign_id = None
        filters.add("campaign_id", "not a campaign")
    entries, total = await service.list_blocked_numbers(
        session,
        organization=visitor.organization,
        params=PageParams(1, ON_PAGE),
        campaign_id=campaign_id,
        number=number,
    )
    campaigns, _ = await list_campaigns(
        session, organization_id=visitor.organization.id, params=PageParams(1, 200)
    )
    return page(
        request,
        visitor,
        "blocked_numbers.html",
        status_code=status_code,
        section="do-not-call",
        entries=entries,
        total=total,
        campaigns=[item.campaign for item in campaigns],
        campaign_names={item.campaign.id: item.campaign.name for item in campaigns},
        number=number or "",
        campaign_id=campaign or "",
        errors=errors or FormErrors(),
        report=report,
    )


@router.get("")
async def blocked_numbers_page(
    request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """The do-not-call list, searched by number and filtered by campaign."""
    return await _page(request, session, visitor)


def _scope(form: Any) -> dict[str, Any]:
    return {"campaign_id": text(form, "campaign_id"), "reason": text(form, "reason")}


@router.post("")
async def add_number(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Block one number, or show the list again with the error beside the field."""
    form = await request.form()
    errors = FormErrors()
    data = validated(BlockedNumberCreate, {"number": text(form, "number"), **_scope(form)}, errors)
    if data is not None:
        try:
            async with session.begin_nested():
                await service.add_blocked_number(
                    session, organization=visitor.organization, data=data
                )
            return see_other("/admin/do-not-call")
        except DomainError as error:
            errors.add_domain(error)
    return await _page(request, session, visitor, errors=errors, status_code=400)


@router.post("/bulk")
async def add_numbers(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Block many numbers, typed one a line or from a file; the page reports each refusal."""
    form = await request.form()
    lines = (text(form, "numbers") or "").splitlines()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        lines += content[:MAX_UPLOAD_BYTES].decode("utf-8", errors="replace").splitlines()
    numbers = [line.split(",")[0].strip() for line in lines if line.split(",")[0].strip()]
    errors = FormErrors()
    body = {"numbers": numbers[: MAX_BULK_NUMBERS + 1], **_scope(form)}
    data = validated(BlockedNumberBulkCreate, body, errors)
    report = None
    if data is not None:
        try:
            async with session.begin_nested():
                report = await service.add_blocked_numbers(
                    session, organization=visitor.organization, data=data
                )
        except DomainError as error:
            errors.add_domain(error)
    return await _page(
        request, session, visitor, errors=errors, report=report, status_code=400 if errors else 200
    )


@router.post("/{blocked_number_id}/delete")
async def remove_number(
    blocked_number_id: uuid.UUID, session: DbSession, visitor: Organizer
) -> Response:
    """Unblock: remove this entry."""
    try:
        entry = await service.get_blocked_number(
            session, organization_id=visitor.organization.id, blocked_number_id=blocked_number_id
        )
    except NotFound:
        raise Missing() from None
    await service.delete_blocked_number(session, entry=entry)
    return see_other("/admin/do-not-call")
