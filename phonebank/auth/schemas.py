"""Wire shapes of service accounts and API keys."""

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field

from phonebank.auth.scopes import Scope
from phonebank.kit.schemas import InputSchema, Resource, Schema, TimestampedResource


class ApiKeyOut(Resource):
    """An API key as listed: never its secret."""

    uri_template: ClassVar[str] = "/api/v1/api_keys/{id}"

    key_id: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None


class ServiceAccountOut(TimestampedResource):
    """A service account with its scopes and keys."""

    uri_template: ClassVar[str] = "/api/v1/service_accounts/{id}"

    name: str
    scopes: list[str]
    disabled: bool
    api_keys: list[ApiKeyOut]


class ServiceAccountCreate(InputSchema):
    """A new service account."""

    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1)
    expires_at: AwareDatetime | None = None


class ApiKeyCreate(InputSchema):
    """A new API key; without `expires_at` it lasts until revoked."""

    expires_at: AwareDatetime | None = None


class IssuedKeyOut(Schema):
    """A new key; `api_key` is shown this once. `key_id` + `api_auth` are the same key split."""

    id: uuid.UUID
    service_account_id: uuid.UUID
    organization_id: uuid.UUID
    api_key: str
    key_id: str
    api_auth: str
    scopes: list[str]
    expires_at: datetime | None
