"""Service accounts and API keys: creation, hashing, lookup and revocation."""

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ApiKey, ServiceAccount
from phonebank.auth.scopes import IMPLIED_BY, Scope
from phonebank.db import utcnow
from phonebank.errors import Conflict, Invalid, NotFound, Unauthorized

KEY_PREFIX = "pb"
# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a service account of one organization, with its scopes."""

    organization_id: uuid.UUID
    service_account_id: uuid.UUID
    scopes: frozenset[Scope]

    def has(self, scope: Scope) -> bool:
        """Whether this principal may act with `scope`."""
        return (
            Scope.ADMIN in self.scopes
            or scope in self.scopes
            or (scope in IMPLIED_BY and IMPLIED_BY[scope] in self.scopes)
        )


@dataclass(frozen=True)
class IssuedKey:
    """A freshly made key; the only moment its secret is known."""

    api_key: ApiKey
    token: str
    secret: str


def hash_secret(secret: str) -> str:
    """SHA-256 of a key secret: secrets are random and long, so a slow hash adds nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """`pb_<key_id>_<secret>` -> (key_id, secret), or None if it is not shaped like a key."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def create_service_account(
    session: AsyncSession, *, organization_id: uuid.UUID, name: str, scopes: Iterable[Scope]
) -> ServiceAccount:
    """A new service account of the organization holding `scopes`."""
    account = ServiceAccount(
        organization_id=organization_id, name=name, scopes=sorted(str(s) for s in set(scopes))
    )
    session.add(account)
    await session.flush()
    return account


async def issue_key(
    session: AsyncSession,
    *,
    service_account: ServiceAccount,
    expires_at: datetime | None = None,
) -> IssuedKey:
    """A new API key for the account; the returned token is never stored or shown again."""
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("expires_at must be in the future", field="expires_at")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    api_key = ApiKey(
        service_account_id=service_account.id,
        key_id=key_id,
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    session.add(api_key)
    await session.flush()
    return IssuedKey(api_key=api_key, token=f"{KEY_PREFIX}_{key_id}_{secret}", secret=secret)


async def authenticate(session: AsyncSession, *, key_id: str, secret: str) -> Principal:
    """The principal behind a key id and secret, or Unauthorized."""
    key_id = key_id.removeprefix(f"{KEY_PREFIX}_")
    row = (
        await session.execute(
            select(ApiKey, ServiceAccount)
            .join(ServiceAccount, ApiKey.service_account_id == ServiceAccount.id)
            .where(ApiKey.key_id == key_id)
        )
    ).first()
    if row is None:
        raise Unauthorized("unknown API key")
    api_key, account = row
    if not hmac.compare_digest(api_key.secret_hash, hash_secret(secret)):
        raise Unauthorized("unknown API key")
    if api_key.revoked_at is not None or account.disabled:
        raise Unauthorized("this API key has been revoked")
    now = utcnow()
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise Unauthorized("this API key has expired")
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
    return Principal(
        organization_id=account.organization_id,
        service_account_id=account.id,
        scopes=frozenset(Scope(s) for s in account.scopes if s in Scope.__members__.values()),
    )


async def authenticate_basic(session: AsyncSession, *, username: str, password: str) -> Principal:
    """HTTP Basic: the user names the service account (its id or name), the password is one
    of its API keys; a key of another account is refused like an unknown one."""
    parts = split_token(password)
    if parts is None:
        raise Unauthorized("malformed API key")
    principal = await authenticate(session, key_id=parts[0], secret=parts[1])
    account = await session.get_one(ServiceAccount, principal.service_account_id)
    try:
        named = uuid.UUID(username.strip()) == account.id
    except ValueError:
        named = username == account.name
    if not named:
        raise Unauthorized("unknown API key")
    return principal


async def list_service_accounts(
    session: AsyncSession, *, organization_id: uuid.UUID
) -> Sequence[ServiceAccount]:
    """The organization's service accounts, oldest first."""
    return (
        await session.scalars(
            select(ServiceAccount)
            .where(ServiceAccount.organization_id == organization_id)
            .order_by(ServiceAccount.created_at)
        )
    ).all()


async def get_service_account(
    session: AsyncSession, *, organization_id: uuid.UUID, account_id: uuid.UUID
) -> ServiceAccount:
    """One service account of the organization, or NotFound."""
    account = await session.get(ServiceAccount, account_id)
    if account is None or account.organization_id != organization_id:
        raise NotFound(f"no service account {account_id}")
    return account


async def revoke_key(
    session: AsyncSession, *, organization_id: uuid.UUID, key_uuid: uuid.UUID
) -> ApiKey:
    """Revoke one key of the organization; revoking twice is a Conflict."""
    row = (
        await session.execute(
            select(ApiKey)
            .join(ServiceAccount, ApiKey.service_account_id == ServiceAccount.id)
            .where(ApiKey.id == key_uuid, ServiceAccount.organization_id == organization_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no API key {key_uuid}")
    if row.revoked_at is not None:
        raise Conflict("this API key is already revoked")
    row.revoked_at = utcnow()
    return row
