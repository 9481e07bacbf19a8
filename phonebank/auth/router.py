"""Service accounts and API keys of the organization (admin only)."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, status

from phonebank.auth import service
from phonebank.auth.dependencies import DbSession, require
from phonebank.auth.models import ApiKey, ServiceAccount
from phonebank.auth.schemas import (
    ApiKeyCreate,
    ApiKeyOut,
    IssuedKeyOut,
    ServiceAccountCreate,
    ServiceAccountOut,
)
from phonebank.auth.scopes import Scope
from phonebank.auth.service import Principal

router = APIRouter(tags=["service accounts"])
Admin = Annotated[Principal, Depends(require(Scope.ADMIN))]


def _issued(account: ServiceAccount, issued: service.IssuedKey) -> IssuedKeyOut:
    return IssuedKeyOut(
        id=issued.api_key.id,
        service_account_id=account.id,
        organization_id=account.organization_id,
        api_key=issued.token,
        key_id=issued.api_key.key_id,
        api_auth=issued.secret,
        scopes=list(account.scopes),
        expires_at=issued.api_key.expires_at,
    )


@router.get("/service_accounts", response_model=list[ServiceAccountOut])
async def list_service_accounts(principal: Admin, session: DbSession) -> Sequence[ServiceAccount]:
    """The organization's service accounts and their keys (never the secrets)."""
    return await service.list_service_accounts(session, organization_id=principal.organization_id)


@router.post("/service_accounts", response_model=IssuedKeyOut, status_code=status.HTTP_201_CREATED)
async def create_service_account(
    body: ServiceAccountCreate, principal: Admin, session: DbSession
) -> IssuedKeyOut:
    """Create a service account with scopes and its first API key (shown only now)."""
    account = await service.create_service_account(
        session, organization_id=principal.organization_id, name=body.name, scopes=body.scopes
    )
    issued = await service.issue_key(session, service_account=account, expires_at=body.expires_at)
    return _issued(account, issued)


@router.post(
    "/service_accounts/{account_id}/api_keys",
    response_model=IssuedKeyOut,
    status_code=status.HTTP_201_CREATED,
)
async def create_api_key(
    account_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    body: ApiKeyCreate | None = None,
) -> IssuedKeyOut:
    """Issue another API key for a service account (shown only now), expiring if asked."""
    account = await service.get_service_account(
        session, organization_id=principal.organization_id, account_id=account_id
    )
    expires_at = body.expires_at if body is not None else None
    issued = await service.issue_key(session, service_account=account, expires_at=expires_at)
    return _issued(account, issued)


@router.delete("/api_keys/{key_uuid}", response_model=ApiKeyOut)
async def revoke_api_key(key_uuid: uuid.UUID, principal: Admin, session: DbSession) -> ApiKey:
    """Revoke an API key; requests with it fail from now on."""
    return await service.revoke_key(
        session, organization_id=principal.organization_id, key_uuid=key_uuid
    )
