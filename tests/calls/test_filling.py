"""Filling a campaign from people, a list or a tag, in one statement."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.filling import add_people_to_campaign, people_by_id
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.organizations.models import Organization
from phonebank.people.schemas import PersonCreate
from phonebank.people.service import create_person
from tests.conftest import Tenant


async def _person(
    session: AsyncSession, tenant: Tenant, numbers: list[dict[str, object]]
) -> uuid.UUID:
    organization = await session.get_one(Organization, tenant.organization_id)
    person = await create_person(
        session,
        organization=organization,
        data=PersonCreate.model_validate({"given_name": "F", "phone_numbers": numbers}),
    )
    return person.id


async def test_calls_get_up_to_three_numbers_primary_first(
    session: AsyncSession, tenant: Tenant
) -> None:
    campaign = Campaign(organization_id=tenant.organization_id, name="fill")
    session.add(campaign)
    many = await _person(
        session,
        tenant,
        [
            {"number": "+12125550111"},
            {"number": "+18085550112", "primary": True},
            {"number": "+13125550113", "do_not_call": True},
            {"number": "+14155550114"},
            {"number": "+16175550115"},
        ],
    )
    none = await _person(session, tenant, [{"number": "+12125550116", "do_not_call": True}])
    one = await _person(session, tenant, [{"number": "+12125550117"}])
    await session.flush()
    result = await add_people_to_campaign(
        session, campaign=campaign, people=people_by_id(tenant.organization_id, [many, none, one])
    )
    assert (result.requested, result.added, result.without_number) == (3, 2, 1)
    calls = {
        call.person_id: call
        for call in (await session.scalars(select(Call).where(Call.campaign_id == campaign.id)))
    }
    assert set(calls) == {many, one}
    assert calls[many].numbers == ["+18085550112", "+12125550111", "+14155550114"]
    assert calls[many].next_number == "+18085550112"
    assert calls[many].time_zone == "Pacific/Honolulu"
    assert calls[many].status == "requested" and calls[many].attempts_count == 0
    assert calls[one].numbers == ["+12125550117"]

    again = await add_people_to_campaign(
        session, campaign=campaign, people=people_by_id(tenant.organization_id, [many, one])
    )
    assert (again.added, again.already_in_campaign) == (0, 2)
