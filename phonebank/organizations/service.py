"""Organizations: creation (bootstrap) and their defaults."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.errors import NotFound
from phonebank.organizations.models import Organization


async def create_organization(session: AsyncSession, *, name: str, **defaults: Any) -> Organization:
    """A new organization (tenant)."""
    organization = Organization(name=name, **defaults)
    session.add(organization)
    await session.flush()
    return organization


async def get_organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    """The organization, or NotFound."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization {organization_id}")
    return organization


async def update_organization(
    session: AsyncSession, organization: Organization, *, changes: dict[str, Any]
) -> Organization:
    """Apply `changes` to the organization's defaults."""
    for name, value in changes.items():
        setattr(organization, name, value)
    await session.flush()
    return organization
