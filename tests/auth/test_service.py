"""HTTP Basic: the user names the key's own service account."""

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ApiKey, ServiceAccount
from phonebank.auth.service import authenticate_basic
from phonebank.errors import Unauthorized
from tests.conftest import Tenant


async def test_basic_names_the_account_by_id_or_name(
    session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    key = (await session.scalars(select(ApiKey).where(ApiKey.key_id == tenant.key_id))).one()
    account = await session.get_one(ServiceAccount, key.service_account_id)
    for user in (str(account.id), account.id.hex.upper(), account.name):
        principal = await authenticate_basic(session, username=user, password=tenant.token)
        assert principal.organization_id == tenant.organization_id
    other_key = (
        await session.scalars(select(ApiKey).where(ApiKey.key_id == other_tenant.key_id))
    ).one()
    for user, password in [
        (str(other_key.service_account_id), tenant.token),  # not this key's account
        (str(account.id), "not-a-key"),
        (str(account.id), f"pb_{tenant.key_id}_wrong"),
    ]:
        with pytest.raises(Unauthorized):
            await authenticate_basic(session, username=user, password=password)
