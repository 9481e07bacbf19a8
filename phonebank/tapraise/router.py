"""The TapRaise-compatible Calls API at `/tapraise/api/v1/calls`: a mapping over calls.service."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic.alias_generators import to_camel

from phonebank.auth.dependencies import DbSession
from phonebank.auth.service import Principal
from phonebank.calls import service
from phonebank.calls.dependencies import (
    CallsAttempter,
    CallsCanceller,
    CallsCompleter,
    CallsExpirer,
    CallsReader,
    CallsWriter,
)
from phonebank.calls.models import Call
from phonebank.calls.schemas import AttemptIn, CallCreate
from phonebank.errors import DomainError, Forbidden
from phonebank.kit.cursor import encode_cursor
from phonebank.kit.times import UTCTimestamp
from phonebank.organizations.service import get_organization
from phonebank.tapraise.schemas import (
    TapRaiseAttemptIn,
    TapRaiseAttemptOut,
    TapRaiseCall,
    TapRaiseCallCreate,
    TapRaiseCancelIn,
    TapRaiseCompleteIn,
    TapRaiseConnection,
    TapRaiseEdge,
    TapRaiseExpireIn,
    TapRaisePageInfo,
)

router = APIRouter(prefix="/tapraise/api/v1/calls", tags=["TapRaise calls"])
_FIELD_NAMES = {"person_id": "personUuid", "id": "uuid"}


@contextmanager
def tapraise_field_names() -> Iterator[None]:
    """Report fields in errors by their TapRaise names (`personUuid`, not `person_id`)."""
    try:
        yield
    except DomainError as error:
        if error.field:
            head, _, rest = error.field.partition("[")
            error.field = _FIELD_NAMES.get(head, to_camel(head)) + (f"[{rest}" if rest else "")
        raise


def to_tapraise(call: Call) -> TapRaiseCall:
    """A stored call in TapRaise's shape."""
    return TapRaiseCall(
        uuid=call.id,
        status=call.status,
        requested_at=call.requested_at,
        attempts=[
            TapRaiseAttemptOut(user_uuid=a.user_uuid, attempted_at=a.attempted_at)
            for a in call.attempts
        ],
        attempts_count=call.attempts_count,
        result=call.result,
        cancelled_at=call.cancelled_at,
        completed_at=call.completed_at,
        expired_at=call.expired_at,
        notes=call.notes,
        person_uuid=call.person_id,
        pledge_case_uuid=call.pledge_case_uuid,
        organisation_uuid=call.organization_id,
        type=call.type,
        external_metadata=call.external_metadata,
        requested_by_user_uuid=call.requested_by_user_uuid,
        updated_at=call.modified_at,
    )


async def _call(session: DbSession, principal: Principal, call_uuid: uuid.UUID) -> Call:
    return await service.get_call(
        session, organization_id=principal.organization_id, call_id=call_uuid
    )


@router.get("", response_model=TapRaiseConnection, response_model_by_alias=True)
async def list_calls(
    principal: CallsReader,
    session: DbSession,
    first: Annotated[int, Query(ge=1, le=100)] = 25,
    after: str | None = None,
    requested_after: Annotated[UTCTimestamp | None, Query(alias="requestedAfter")] = None,
    updated_after: Annotated[UTCTimestamp | None, Query(alias="updatedAfter")] = None,
) -> TapRaiseConnection:
    """Calls of the organization, newest first, `first` at a time after the `after` cursor."""
    filters = service.CallFilters(requested_after=requested_after, updated_after=updated_after)
    page = await service.list_calls_after(
        session,
        organization_id=principal.organization_id,
        filters=filters,
        first=first,
        after=after,
    )
    edges = [
        TapRaiseEdge(cursor=encode_cursor(call.created_at, call.id), node=to_tapraise(call))
        for call in page.rows
    ]
    return TapRaiseConnection(
        edges=edges,
        page_info=TapRaisePageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@router.post("", response_model=TapRaiseCall, status_code=201, response_model_by_alias=True)
async def create_call(
    body: TapRaiseCallCreate, principal: CallsWriter, session: DbSession
) -> TapRaiseCall:
    """Create a call; the same `uuid` posted twice is a 409 Conflict."""
    if body.organisation_uuid and body.organisation_uuid != principal.organization_id:
        raise Forbidden(
            "this API key cannot create calls for another organisation", field="organisationUuid"
        )
    organization = await get_organization(session, principal.organization_id)
    # The same fields in snake_case; only what the client sent, so forbidden ones are caught.
    fields = body.model_dump(exclude_unset=True, exclude={"organisation_uuid"})
    fields["person_id"] = fields.pop("person_uuid")
    if "uuid" in fields:
        fields["id"] = fields.pop("uuid")
    data = CallCreate.model_validate(fields)
    with tapraise_field_names():
        call = await service.create_call(session, organization=organization, data=data)
    return to_tapraise(call)


@router.get("/{call_uuid}", response_model=TapRaiseCall, response_model_by_alias=True)
async def get_call(
    call_uuid: uuid.UUID, principal: CallsReader, session: DbSession
) -> TapRaiseCall:
    """One call."""
    return to_tapraise(await _call(session, principal, call_uuid))


@router.put("/{call_uuid}/attempts", response_model=TapRaiseCall, response_model_by_alias=True)
async def add_attempt(
    call_uuid: uuid.UUID, body: TapRaiseAttemptIn, principal: CallsAttempter, session: DbSession
) -> TapRaiseCall:
    """Add a call attempt; reaching the maximum number of attempts expires the call."""
    call = await _call(session, principal, call_uuid)
    data = AttemptIn(user_uuid=body.user_uuid, attempted_at=body.attempted_at)
    with tapraise_field_names():
        await service.add_attempt(session, call=call, data=data)
    return to_tapraise(call)


@router.put("/{call_uuid}/complete", response_model=TapRaiseCall, response_model_by_alias=True)
async def complete_call(
    call_uuid: uuid.UUID, body: TapRaiseCompleteIn, principal: CallsCompleter, session: DbSession
) -> TapRaiseCall:
    """Mark a call completed with its result."""
    call = await _call(session, principal, call_uuid)
    with tapraise_field_names():
        await service.complete_call(
            session, call=call, user_uuid=body.user_uuid, result=body.result
        )
    return to_tapraise(call)


@router.put("/{call_uuid}/cancel", response_model=TapRaiseCall, response_model_by_alias=True)
async def cancel_call(
    call_uuid: uuid.UUID, body: TapRaiseCancelIn, principal: CallsCanceller, session: DbSession
) -> TapRaiseCall:
    """Cancel a call, at the time given or now."""
    call = await _call(session, principal, call_uuid)
    with tapraise_field_names():
        await service.cancel_call(session, call=call, cancelled_at=body.cancelled_at)
    return to_tapraise(call)


@router.put("/{call_uuid}/expire", response_model=TapRaiseCall, response_model_by_alias=True)
async def expire_call(
    call_uuid: uuid.UUID, body: TapRaiseExpireIn, principal: CallsExpirer, session: DbSession
) -> TapRaiseCall:
    """Expire a call, at the time given or now."""
    call = await _call(session, principal, call_uuid)
    with tapraise_field_names():
        await service.expire_call(session, call=call, expired_at=body.expired_at)
    return to_tapraise(call)
