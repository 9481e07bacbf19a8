"""The Person Signup Helper: one POST that finds or creates a person and applies the helper
actions (tags, lists, answers, triggers), each through the service that owns its rule."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.service import request_call
from phonebank.errors import DomainError, Invalid, NotFound
from phonebank.identifiers.service import find_object
from phonebank.lists import service as lists
from phonebank.organizations.models import Organization
from phonebank.osdi.hal import foreign_only, href, id_from_reference, namespace, validated
from phonebank.osdi.schemas import SignupIn, Trigger
from phonebank.people import service as people
from phonebank.people.merging import merge_person
from phonebank.people.models import Person
from phonebank.people.schemas import PersonCreate, PersonUpdate
from phonebank.scripts.answers import AnswerGiven, record_answers
from phonebank.scripts.service import get_question
from phonebank.tags import service as tags
from phonebank.webhooks.service import enqueue_event

# The events the mail and SMS triggers become, for the organization's own systems to act on.
EVENTS = {"autoresponse": "person.autoresponse", "sms_response": "person.sms_response"}


async def _own_person(
    session: AsyncSession, organization: Organization, values: list[str] | None
) -> Person | None:
    """The person named by one of our own identifiers in the body, if any."""
    own = f"{namespace()}:"
    for index, value in enumerate(values or []):
        if value.startswith(own):
            field = f"identifiers[{index}]"
            person_id = id_from_reference(value, collection="people", field=field)
            try:
                return await people.get_person(
                    session, organization_id=organization.id, person_id=person_id
                )
            except NotFound:
                raise Invalid(f"no person {person_id} in this organization", field=field) from None
    return None


async def save_person(
    session: AsyncSession, organization: Organization, body: SignupIn
) -> tuple[Person, bool]:
    """Match the person (see `people.service.find_signup_match`) and merge, or create them.

    Returns the person and whether they were created.
    """
    try:
        return await _save_person(session, organization, body)
    except DomainError as error:
        # The person's fields sit under `person` in a signup body.
        if error.field and not error.field.startswith("person"):
            error.field = f"person.{error.field}"
        raise


async def _save_person(
    session: AsyncSession, organization: Organization, body: SignupIn
) -> tuple[Person, bool]:
    data = body.person.native()
    data["identifiers"] = foreign_only(data.get("identifiers"))
    person = await _own_person(session, organization, body.person.identifiers)
    if person is None:
        person = await people.find_signup_match(
            session,
            organization=organization,
            identifiers=data["identifiers"],
            emails=[
                item["address"] for item in data.get("email_addresses") or [] if "address" in item
            ],
            numbers=[item.number for item in body.person.phone_numbers or []],
        )
    if person is not None:
        update = validated(PersonUpdate, data, prefix="person")
        await merge_person(session, organization=organization, person=person, data=update)
        return person, False
    create = validated(
        PersonCreate,
        {key: value for key, value in data.items() if value is not None},
        prefix="person",
    )
    created = await people.create_person(
        session, organization=organization, data=create, lenient_numbers=True
    )
    return created, True


async def apply_actions(
    session: AsyncSession, organization: Organization, person: Person, body: SignupIn
) -> dict[str, Any]:
    """Tags, lists, answers and triggers of a signup; returns what the triggers did."""
    org_id = organization.id
    found_tags = await tags.get_tags_by_name(
        session, organization_id=org_id, names=body.add_tags, field="add_tags"
    )
    for index, reference in enumerate(body.add_tags_uri):
        field = f"add_tags_uri[{index}]"
        tag_id = id_from_reference(reference, collection="tags", field=field)
        found_tags.append(
            await tags.get_tag(session, organization_id=org_id, tag_id=tag_id, field=field)
        )
    for tag in found_tags:
        await tags.tag_people(session, tag=tag, person_ids=[person.id])

    found_lists = await lists.get_lists_by_name(
        session, organization_id=org_id, names=body.add_lists, field="add_lists"
    )
    for index, reference in enumerate(body.add_lists_uri):
        field = f"add_lists_uri[{index}]"
        list_id = id_from_reference(reference, collection="lists", field=field)
        found_lists.append(
            await lists.get_list(session, organization_id=org_id, list_id=list_id, field=field)
        )
    for person_list in found_lists:
        await lists.add_people(session, person_list=person_list, person_ids=[person.id])

    given: list[AnswerGiven] = []
    for index, item in enumerate(body.add_questions_responses_uri):
        field = f"add_questions_responses_uri[{index}]"
        question_id = id_from_reference(
            item.question, collection="questions", field=f"{field}.question"
        )
        question = await get_question(
            session, organization_id=org_id, question_id=question_id, field=f"{field}.question"
        )
        given.append(AnswerGiven(question, item.responses, item.value, field))
    await record_answers(session, person=person, answers=given)
    return await _fire_triggers(session, organization, person, body)


async def _campaign_ids(
    session: AsyncSession, organization: Organization, trigger: Trigger
) -> list[uuid.UUID]:
    """The campaigns a call trigger names: by our identifier, or by one a client gave them.

    Identifiers of other systems that name none of our campaigns are for those systems.
    """
    own = f"{namespace()}:"
    found: list[uuid.UUID] = []
    for index, value in enumerate(trigger.identifiers):
        field = f"triggers.call_response.identifiers[{index}]"
        if value.startswith(own):
            found.append(id_from_reference(value, collection="phone_bank", field=field))
            continue
        row = await find_object(
            session, organization_id=organization.id, kind="campaign", identifier=value
        )
        if row is not None:
            found.append(row)
    return list(dict.fromkeys(found))


async def _fire_triggers(
    session: AsyncSession, organization: Organization, person: Person, body: SignupIn
) -> dict[str, Any]:
    fired: dict[str, Any] = {}
    person_href = href(f"/people/{person.id}")
    call = body.triggers.call_response
    if call is not None and call.enabled:
        calls = []
        for campaign_id in await _campaign_ids(session, organization, call):
            try:
                requested = await request_call(
                    session, organization=organization, person=person, campaign_id=campaign_id
                )
            except Invalid as error:
                raise Invalid(error.detail, field="triggers.call_response.identifiers") from None
            calls.append(str(requested.id))
        fired["call_response"] = calls
    for name, event in EVENTS.items():
        trigger: Trigger | None = getattr(body.triggers, name)
        if trigger is None or not trigger.enabled:
            continue
        fired[name] = await enqueue_event(
            session,
            organization_id=organization.id,
            event=event,
            payload={"person": person_href, "identifiers": trigger.identifiers},
        )
    return fired
