"""OBI customers of a campaign: search, add one or a list, read, delete."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from phonebank.auth.dependencies import DbSession
from phonebank.auth.service import Principal
from phonebank.calls import service as calls
from phonebank.calls.contacts import ContactCall, add_contact_calls
from phonebank.calls.models import Call
from phonebank.calls.search import (
    CallSearch,
    calls_by_id,
    latest_results,
    search_campaign_calls,
    summarize_campaign_calls,
)
from phonebank.campaigns.models import Campaign
from phonebank.errors import Conflict, DomainError, Invalid, NotFound
from phonebank.kit.wildcards import check_pattern
from phonebank.obi import present
from phonebank.obi.auth import CustomerReader, CustomerWriter
from phonebank.obi.campaigns import owned_campaign
from phonebank.obi.ids import CampaignIdPath, CustomerIdPath, id32, parse_id, parse_ids, path_id
from phonebank.obi.mapping import FROM_DIALING_MODES
from phonebank.obi.schemas import CustomerIn, attribute_items
from phonebank.obi.search import (
    FIELD_NAMES,
    check_params,
    flag,
    keep,
    number,
    patterns,
    time_range,
)
from phonebank.obi.wire import created, no_content, read_body, render, request_format
from phonebank.organizations.service import get_organization
from phonebank.scripts.models import Script
from phonebank.scripts.service import get_script

router = APIRouter(tags=["OBI customers"])

SEARCHABLE = (
    "externalId", "numbers", "result", "callResult", "classifier", "callCount", "lastBNumber",
    "dialingMode", "previewTime", "priority", "timeZone",
)  # fmt: skip
# Searches the database answers; the others are matched on the customers as OBI shows them.
COLUMNS = {
    "externalId": "external_id",
    "callCount": "attempts_count",
    "dialingMode": "dialing_mode",
    "previewTime": "preview_seconds",
    "priority": "priority",
    "timeZone": "time_zone",
}
PARAMS = (
    *SEARCHABLE, "includeScript", "agentId", "date", "dateEnd", "modificationDate",
    "modificationDateEnd", "attributeName", "attributeValue", "offset", "limit",
)  # fmt: skip
DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000
CUSTOMER_LIST_TAGS = ("attribute",)


def _contact(item: CustomerIn) -> ContactCall:
    attributes = {attribute.name: attribute.value or "" for attribute in item.attributes}
    return ContactCall(
        numbers=item.phone_numbers(),
        external_id=item.externalId,
        given_name=item.attribute("First Name") or item.attribute("FirstName"),
        family_name=item.attribute("Last Name") or item.attribute("LastName"),
        attributes=attributes,
        next_call_at=item.date,
        preferred_caller_id=parse_id(item.agentId, field="agentId") if item.agentId else None,
        dialing_mode=FROM_DIALING_MODES.get(item.dialingMode) if item.dialingMode else None,
        preview_seconds=item.previewTime,
        priority=item.priority or 0,
        time_zone=item.timeZone,
    )


def _message(error: DomainError, raw: Any) -> str:
    """An entry's error as OBI words it: `Invalid <field>: <value> : <why>`."""
    field = FIELD_NAMES.get((error.field or "").split("[")[0], error.field or "customer")
    values = raw if isinstance(raw, dict) else {}
    if field == "numbers":
        given = values.get("numbers")
        if given is None:
            given = ";".join(
                str(attribute.get("value"))
                for attribute in attribute_items(values.get("attributes"))
                if isinstance(attribute, dict)
                and str(attribute.get("name", "")).lower() in {"phone1", "phone2", "phone3"}
            )
        return f"Invalid numbers: '{given}'"
    if isinstance(error, Conflict) and field == "externalId":
        return f"Invalid externalId: {values.get('externalId')} : Value is not unique"
    return f"Invalid {field}: {values.get(field, '')} : {error.detail}"


def _entry(raw: Any) -> ContactCall:
    try:
        return _contact(CustomerIn.model_validate(raw))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "customer"
        raise Invalid(first["msg"], field=field) from None


async def _script(session: DbSession, campaign: Campaign) -> Script | None:
    if campaign.script_id is None:
        return None
    return await get_script(
        session, organization_id=campaign.organization_id, script_id=campaign.script_id
    )


async def _owned_customer(
    session: DbSession, principal: Principal, campaign_id: str, customer_id: str
) -> Call:
    campaign = await owned_campaign(session, principal, campaign_id)
    call = await calls.get_call(
        session,
        organization_id=principal.organization_id,
        call_id=path_id(customer_id, what="customer"),
    )
    if call.campaign_id != campaign.id:
        raise NotFound(f"no customer {customer_id} in this campaign")
    return call


@router.get("/campaigns/{campaignId}/customers")
async def list_customers(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CustomerReader,
    session: DbSession,
) -> Response:
    """Customers of the campaign, searched by field (`*`, `?`), agent, dates and attribute."""
    campaign = await owned_campaign(session, principal, campaign_id)
    query = dict(request.query_params)
    check_params(query, PARAMS)
    searches = patterns(query, SEARCHABLE)
    for name in ("attributeName", "attributeValue"):
        if name in query:
            check_pattern(query[name], field=name)
    if "attributeValue" in query and "attributeName" not in query:
        raise Invalid("attributeValue needs attributeName", field="attributeName")
    offset = number(query, "offset", 0, maximum=MAX_LIMIT * 100)
    limit = number(query, "limit", DEFAULT_LIMIT, maximum=MAX_LIMIT)
    dates, modified = time_range(query, "date"), time_range(query, "modificationDate")
    search = CallSearch(
        patterns={COLUMNS[name]: value for name, value in searches.items() if name in COLUMNS},
        preferred_caller_ids=parse_ids(query["agentId"], field="agentId")
        if "agentId" in query
        else None,
        next_call_after=dates[0],
        next_call_before=dates[1],
        modified_after=modified[0],
        modified_before=modified[1],
    )
    shown_searches = {name: value for name, value in searches.items() if name not in COLUMNS}
    attribute = query.get("attributeName")
    if shown_searches or attribute is not None:
        # Searches on shown values are matched on each call's standing, then the page is cut.
        summaries = await summarize_campaign_calls(session, campaign_id=campaign.id, search=search)
        chosen = [
            summary.id
            for summary in summaries
            if _matches(present.standing(summary), shown_searches, attribute, query)
        ][offset : offset + limit]
        found = await calls_by_id(session, call_ids=chosen)
    else:
        found = list(
            await search_campaign_calls(
                session, campaign_id=campaign.id, search=search, offset=offset, limit=limit
            )
        )
    results = await latest_results(session, call_ids=[call.id for call in found])
    script = await _script(session, campaign) if flag(query, "includeScript") else None
    customers = [
        present.customer(call, result=results.get(call.id), script=script) for call in found
    ]
    return render(request, customers, root="customers", item="customer")


def _matches(
    shown: dict[str, Any], searches: dict[str, str], attribute: str | None, query: dict[str, str]
) -> bool:
    if not keep(shown, searches):
        return False
    if attribute is None:
        return True
    value = query.get("attributeValue")
    return any(
        keep({"name": item["name"]}, {"name": attribute})
        and (value is None or keep({"value": item["value"]}, {"value": value}))
        for item in shown["attributes"]["attribute"]
    )


@router.post("/campaigns/{campaignId}/customers", status_code=201)
async def add_customer(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CustomerWriter,
    session: DbSession,
) -> Response:
    """Add one customer; answers its id, with its address in `Location`."""
    campaign = await owned_campaign(session, principal, campaign_id)
    raw = await read_body(request, list_tags=CUSTOMER_LIST_TAGS)
    try:
        entry = _contact(CustomerIn.model_validate(raw))
    except ValidationError as error:
        raise RequestValidationError(
            [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors()]
        ) from None
    organization = await get_organization(session, principal.organization_id)
    [outcome] = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=[entry]
    )
    if outcome.error is not None:
        refusal = outcome.error
        refusal.detail = _message(refusal, raw)
        refusal.field = FIELD_NAMES.get((refusal.field or "").split("[")[0], refusal.field)
        raise refusal
    assert outcome.call_id is not None
    new_id = id32(outcome.call_id)
    return created(f"{request.url.path}/{new_id}", new_id)


@router.post("/campaigns/{campaignId}/customers/list")
async def add_customers(
    campaign_id: CampaignIdPath,
    request: Request,
    principal: CustomerWriter,
    session: DbSession,
) -> Response:
    """Add many customers; each gets a statusCode (201 added, 200 valid but not added, 400)."""
    campaign = await owned_campaign(session, principal, campaign_id)
    stop = flag(dict(request.query_params), "stopProcessIfInvalidEntriesFound")
    raw_items = await read_body(request, list_tags=CUSTOMER_LIST_TAGS, as_list=True)
    if not isinstance(raw_items, list):
        raise Invalid("send a list of customers", field="body")
    entries: list[ContactCall | DomainError] = []
    for raw in raw_items:
        try:
            entries.append(_entry(raw))
        except DomainError as error:
            # Kept without its traceback: frames would hold the whole list alive in cycles.
            error.__context__ = None
            entries.append(error.with_traceback(None))
    valid = [entry for entry in entries if isinstance(entry, ContactCall)]
    organization = await get_organization(session, principal.organization_id)
    refused_early = len(valid) < len(entries)
    outcomes = iter(
        await add_contact_calls(
            session,
            organization=organization,
            campaign=campaign,
            entries=valid,
            all_or_nothing=stop,
            dry_run=stop and refused_early,
        )
    )
    items: list[dict[str, Any]] = []
    for raw, entry in zip(raw_items, entries, strict=True):
        if isinstance(entry, DomainError):
            items.append({"error": _message(entry, raw), "statusCode": 400})
        else:
            outcome = next(outcomes)
            if outcome.error is not None:
                items.append({"error": _message(outcome.error, raw), "statusCode": 400})
            elif outcome.call_id is None:
                items.append({"statusCode": 200})
            else:
                items.append({"statusCode": 201, "id": id32(outcome.call_id)})
    # OBI clients POST with `Accept: text/html`: they then get the format they sent.
    return render(request, items, root="results", item="result", fallback=request_format(request))


@router.get("/campaigns/{campaignId}/customers/{customerId}")
async def get_customer(
    campaign_id: CampaignIdPath,
    customer_id: CustomerIdPath,
    request: Request,
    principal: CustomerReader,
    session: DbSession,
) -> Response:
    """One customer of the campaign, with the script answers of its result."""
    call = await _owned_customer(session, principal, campaign_id, customer_id)
    campaign = await owned_campaign(session, principal, campaign_id)
    results = await latest_results(session, call_ids=[call.id])
    customer = present.customer(
        call, result=results.get(call.id), script=await _script(session, campaign)
    )
    return render(request, customer, root="customer")


@router.delete("/campaigns/{campaignId}/customers/{customerId}", status_code=204)
async def delete_customer(
    campaign_id: CampaignIdPath,
    customer_id: CustomerIdPath,
    principal: CustomerWriter,
    session: DbSession,
) -> Response:
    """Remove a customer from the campaign (one being dialed right now is a 409)."""
    call = await _owned_customer(session, principal, campaign_id, customer_id)
    await calls.delete_call(session, call=call)
    return no_content()
