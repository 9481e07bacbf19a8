"""Calls with their own contacts: per-entry checks, all-or-nothing, one insert per table."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.contacts import ContactCall, add_contact_calls
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.errors import Conflict, Invalid
from phonebank.organizations.models import Organization
from phonebank.people.models import Person
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant


@pytest.fixture
async def setting(session: AsyncSession, tenant: Tenant) -> tuple[Organization, Campaign]:
    """The tenant's organization and a campaign."""
    organization = await session.get_one(Organization, tenant.organization_id)
    campaign = await session.get_one(Campaign, await add_campaign(session, tenant))
    return organization, campaign


async def test_entries_are_checked_one_by_one(
    session: AsyncSession, setting: tuple[Organization, Campaign]
) -> None:
    organization, campaign = setting
    entries = [
        ContactCall(numbers=["0215428754", "98521542"], time_zone="Europe/Helsinki",
                    external_id="10", given_name="Kathy", attributes={"City": "Turku"}),
        ContactCall(numbers=["+number"]),
        ContactCall(numbers=["+13122345671"] * 4),
        ContactCall(numbers=[]),
        ContactCall(numbers=["+13122345672"], external_id="dup"),
        ContactCall(numbers=["+13122345673"], preferred_caller_id=uuid.uuid4()),
        ContactCall(numbers=["+13122345674"], time_zone="Mars/Base"),
        ContactCall(numbers=["+13122345675"], dialing_mode="power"),
        ContactCall(numbers=["+13122345676"]),
        ContactCall(numbers=["+13122345677"], external_id="dup"),
    ]  # fmt: skip
    outcomes = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=entries
    )
    errors = [(type(o.error).__name__, o.error.field) if o.error else None for o in outcomes]
    assert errors == [
        None, ("Invalid", "numbers[0]"), ("Invalid", "numbers"), ("Invalid", "numbers"),
        ("Conflict", "external_id"), ("Invalid", "preferred_caller_id"),
        ("Invalid", "time_zone"), ("Invalid", "dialing_mode"), None, ("Conflict", "external_id"),
    ]  # fmt: skip
    first = await session.get_one(Call, outcomes[0].call_id)
    assert first.numbers == ["+358215428754", "+35898521542"]
    assert (first.external_id, first.time_zone, first.status) == (
        "10", "Europe/Helsinki", "requested",
    )  # fmt: skip
    person = await session.get_one(Person, first.person_id)
    assert person.given_name == "Kathy"
    assert [number.number for number in person.phone_numbers] == first.numbers
    last = await session.get_one(Call, outcomes[-2].call_id)
    assert last.external_id == last.id.hex.upper()
    assert last.time_zone == "America/Chicago"


async def test_all_or_nothing_and_dry_run(
    session: AsyncSession, setting: tuple[Organization, Campaign]
) -> None:
    organization, campaign = setting
    good = ContactCall(numbers=["+13122345678"], external_id="a")
    bad = ContactCall(numbers=["nope"])
    outcomes = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=[good, bad],
        all_or_nothing=True,
    )  # fmt: skip
    assert outcomes[0].accepted and outcomes[0].call_id is None
    assert isinstance(outcomes[1].error, Invalid)
    checked = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=[good], dry_run=True
    )
    assert checked[0].accepted and checked[0].call_id is None
    assert (await session.scalars(select(Call).where(Call.campaign_id == campaign.id))).all() == []
    [added] = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=[good]
    )
    assert added.call_id is not None
    [again] = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=[good]
    )
    assert isinstance(again.error, Conflict)
