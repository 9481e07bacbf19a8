"""Campaign pages: create, edit, duplicate, delete, and the status buttons.

Every change goes through `campaigns.service`, as the API's; the forms only translate.
"""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from phonebank.auth.dependencies import DbSession
from phonebank.callers.service import list_caller_groups
from phonebank.calling.figures import campaign_figures
from phonebank.calling.session_actions import dials_in_flight
from phonebank.calls.export import result_rows
from phonebank.calls.results import DISPOSITIONS
from phonebank.campaigns import service
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.schemas import CampaignCreate, CampaignUpdate
from phonebank.db import utcnow
from phonebank.errors import DomainError, NotFound
from phonebank.kit.pagination import PageParams
from phonebank.lists.service import list_lists
from phonebank.messages.service import list_messages
from phonebank.scripts.service import list_scripts
from phonebank.web.console.access import Missing, Organizer, Visitor, Watcher, page, see_other
from phonebank.web.console.forms import FormErrors, local_datetime, text, validated

router = APIRouter(prefix="/admin/campaigns")
EVERYTHING = PageParams(1, 200)
RESULTS_ON_PAGE = 50
# Every input of the campaign form, named as the API's fields.
FIELDS = (
    "name",
    "title",
    "description",
    "summary",
    "origin_system",
    "script_id",
    "target_list_id",
    "volunteers_list_id",
    "caller_group_id",
    "dialing_mode",
    "preview_seconds",
    "power_ratio",
    "abandon_rate_target",
    "increase_predictive_ratio",
    "pacer",
    "ring_timeout_seconds",
    "caller_id",
    "time_zone",
    "daily_start_hour",
    "daily_stop_hour",
    "start_time",
    "end_time",
    "retry_count",
    "retry_delay_busy_seconds",
    "retry_delay_no_answer_seconds",
    "retry_delay_machine_seconds",
    "retry_delay_failed_seconds",
    "retry_delay_abandoned_seconds",
    "voicemail_message_id",
    "safe_harbor_message_id",
    "voicemail_audio_url",
)
_TIMES = ("start_time", "end_time")


def _body(form: Any, *, creating: bool) -> dict[str, Any]:
    """The API body of a submitted form: an empty input is omitted (create) or cleared (edit)."""
    values = {name: text(form, name) for name in FIELDS}
    for name in _TIMES:
        values[name] = local_datetime(values[name], values["time_zone"])
    if creating:
        return {name: value for name, value in values.items() if value is not None}
    return values


def _form_values(campaign: Campaign | None, defaults: dict[str, Any]) -> dict[str, str]:
    """What the inputs show for a stored campaign (or the defaults of a new one)."""
    shown: dict[str, str] = {}
    for name in FIELDS:
        value = getattr(campaign, name) if campaign is not None else defaults.get(name)
        if name in _TIMES and value is not None:
            zone = ZoneInfo(campaign.time_zone if campaign is not None else "UTC")
            value = value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        shown[name] = "" if value is None else str(value)
    return shown


async def _choices(session: DbSession, visitor: Visitor) -> dict[str, Any]:
    """The objects the form's selects offer."""
    organization_id = visitor.organization.id
    scripts, _ = await list_scripts(session, organization_id=organization_id, params=EVERYTHING)
    lists, _ = await list_lists(session, organization_id=organization_id, params=EVERYTHING)
    groups, _ = await list_caller_groups(
        session, organization_id=organization_id, params=EVERYTHING
    )
    messages, _ = await list_messages(session, organization_id=organization_id, params=EVERYTHING)
    return {
        "scripts": scripts,
        "lists": lists,
        "groups": groups,
        "voicemails": [m for m in messages if m.kind == "voicemail"],
        "safe_harbors": [m for m in messages if m.kind == "safe_harbor"],
    }


async def _form_page(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    *,
    campaign: Campaign | None,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        visitor,
        "campaign_form.html",
        status_code=status_code,
        section="campaigns",
        campaign=campaign,
        values=values,
        errors=errors or FormErrors(),
        **await _choices(session, visitor),
    )


def _defaults(visitor: Visitor) -> dict[str, Any]:
    fields = CampaignCreate.model_fields
    defaults = {name: fields[name].default for name in FIELDS if name in fields}
    defaults["time_zone"] = visitor.organization.default_time_zone
    return defaults


async def _submit(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    *,
    campaign: Campaign | None,
    model: type[BaseModel],
) -> Response:
    form = await request.form()
    errors = FormErrors()
    data = validated(model, _body(form, creating=campaign is None), errors)
    if data is not None:
        try:
            # A savepoint: a refusal undoes the change alone, and the form can still be shown.
            async with session.begin_nested():
                if campaign is None:
                    assert isinstance(data, CampaignCreate)
                    campaign = await service.create_campaign(
                        session, organization=visitor.organization, data=data
                    )
                else:
                    assert isinstance(data, CampaignUpdate)
                    await service.update_campaign(
                        session, organization=visitor.organization, campaign=campaign, data=data
                    )
            return see_other(f"/admin/campaigns/{campaign.id}")
        except DomainError as error:
            errors.add_domain(error)
    if campaign is not None:
        await session.refresh(campaign)
    values = {name: str(form.get(name) or "") for name in FIELDS}
    return await _form_page(
        request, session, visitor, campaign=campaign, values=values, errors=errors, status_code=400
    )


@router.get("/new")
async def new_campaign(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """The form of a new campaign, with the defaults the API would use."""
    values = _form_values(None, _defaults(visitor))
    return await _form_page(request, session, visitor, campaign=None, values=values)


@router.post("/new")
async def create_campaign(request: Request, session: DbSession, visitor: Organizer) -> Response:
    """Create the campaign, or show the form again with each error beside its field."""
    return await _submit(request, session, visitor, campaign=None, model=CampaignCreate)


async def _campaign(session: DbSession, visitor: Visitor, campaign_id: uuid.UUID) -> Campaign:
    try:
        return await service.get_campaign(
            session, organization_id=visitor.organization.id, campaign_id=campaign_id
        )
    except NotFound:
        raise Missing() from None


@router.get("/{campaign_id}")
async def campaign_page(
    campaign_id: uuid.UUID, request: Request, session: DbSession, visitor: Watcher
) -> Response:
    """One campaign: its status buttons, live figures and chart, people, newest results."""
    return await _detail(request, session, visitor, await _campaign(session, visitor, campaign_id))


async def _detail(
    request: Request,
    session: DbSession,
    visitor: Visitor,
    campaign: Campaign,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    figures = await campaign_figures(
        session,
        campaign=campaign,
        now=utcnow(),
        dials_in_flight=await dials_in_flight(request, campaign.id),
    )
    lists, _ = await list_lists(session, organization_id=visitor.organization.id, params=EVERYTHING)
    return page(
        request,
        visitor,
        "campaign.html",
        status_code=status_code,
        section="campaigns",
        campaign=campaign,
        figures=figures,
        lists=lists,
        results=await result_rows(session, campaign.id, limit=RESULTS_ON_PAGE),
        dispositions=DISPOSITIONS,
        error=error,
    )


@router.get("/{campaign_id}/edit")
async def edit_campaign(
    campaign_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """The campaign's settings, every one the API has."""
    campaign = await _campaign(session, visitor, campaign_id)
    values = _form_values(campaign, {})
    return await _form_page(request, session, visitor, campaign=campaign, values=values)


@router.post("/{campaign_id}/edit")
async def update_campaign(
    campaign_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Save the settings, or show the form again with each error beside its field."""
    campaign = await _campaign(session, visitor, campaign_id)
    return await _submit(request, session, visitor, campaign=campaign, model=CampaignUpdate)


@router.post("/{campaign_id}/duplicate")
async def duplicate_campaign(
    campaign_id: uuid.UUID, session: DbSession, visitor: Organizer
) -> Response:
    """A new draft with the same settings; its form opens to rename it."""
    copy = await service.duplicate_campaign(
        session, campaign=await _campaign(session, visitor, campaign_id)
    )
    return see_other(f"/admin/campaigns/{copy.id}/edit")


@router.post("/{campaign_id}/delete")
async def delete_campaign(
    campaign_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Delete the campaign (the service refuses a running one)."""
    campaign = await _campaign(session, visitor, campaign_id)
    try:
        async with session.begin_nested():
            await service.delete_campaign(session, campaign=campaign)
    except DomainError as error:
        await session.refresh(campaign)
        return await _detail(
            request, session, visitor, campaign, error=error.detail, status_code=error.status_code
        )
    return see_other("/admin")


@router.get("/{campaign_id}/stop")
async def confirm_stop(
    campaign_id: uuid.UUID, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Ask before stopping: a stopped campaign is final."""
    campaign = await _campaign(session, visitor, campaign_id)
    return page(request, visitor, "campaign_stop.html", section="campaigns", campaign=campaign)


@router.post("/{campaign_id}/{action}")
async def campaign_action(
    campaign_id: uuid.UUID, action: str, request: Request, session: DbSession, visitor: Organizer
) -> Response:
    """Start, pause, resume or stop (the service says which the status allows)."""
    campaign = await _campaign(session, visitor, campaign_id)
    try:
        async with session.begin_nested():
            await service.apply_action(session, campaign=campaign, action=action)
    except DomainError as error:
        await session.refresh(campaign)
        return await _detail(
            request, session, visitor, campaign, error=error.detail, status_code=error.status_code
        )
    return see_other(f"/admin/campaigns/{campaign.id}")
