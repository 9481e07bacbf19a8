"""OSDI people: the signup helper (seed 003), matching, merging, paging and filters."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.people.models import Person
from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import Tenant
from tests.osdi.conftest import Osdi, error_of, properties_of

# The seed's example body; the links to tags, lists and questions are replaced by ours.
SEED_SIGNUP: dict[str, Any] = {
    "person": {
        "identifiers": ["foreign_system:1"],
        "family_name": "Edwin",
        "given_name": "Labadie",
        "additional_name": "Marques",
        "origin_system": "OpenSupporter",
        "email_addresses": [
            {"address": "test-3@example.com", "primary": True, "address_type": "Personal"}
        ],
        "postal_addresses": [
            {
                "primary": True,
                "address_lines": ["935 Ed Lock"],
                "locality": "New Dudley",
                "region": "MN",
                "postal_code": "17678",
                "country": "RU",
                "address_type": "Home",
                "status": "Verified",
            }
        ],
        "phone_numbers": [
            {"primary": True, "number": 19876543210, "number_type": "Mobile", "sms_capable": True}
        ],
        "gender": "Male",
    },
    "triggers": {
        "autoresponse": {
            "identifiers": [
                "system_1:eb84f0d01dec3b1ffb9e4dca406fa45e",
                "system_2:15117b282328146ac6afebaa8acd80e7",
            ],
            "enabled": True,
        },
        "sms_response": {
            "identifiers": ["system_1:efe398db3439be6bbf00d90e693ec3a3"],
            "enabled": True,
        },
        "call_response": {
            "identifiers": ["system_1:83069490-8a17-4131-b13e-f9a44d2b7646"],
            "enabled": True,
        },
    },
    "add_tags": ["volunteer", "donor"],
    "add_tags_uri": [],
    "add_lists": ["supporters"],
    "add_lists_uri": [],
    "add_questions_responses_uri": [],
}


async def _arrange(osdi: Osdi) -> dict[str, Any]:
    """Tags, lists, a choice and a paragraph question, and a phone bank, made through OSDI."""
    made: dict[str, Any] = {}
    for name in ("volunteer", "donor", "speaker"):
        made[name] = await osdi.post(osdi.href("osdi:tags"), {"name": name})
    made["supporters"] = await osdi.post(osdi.href("osdi:lists"), {"name": "supporters"})
    made["callers"] = await osdi.post(osdi.href("osdi:lists"), {"name": "callers"})
    made["choice"] = await osdi.post(
        osdi.href("osdi:questions"),
        {
            "name": "Issues",
            "question_type": "MultiChoice",
            "responses": [{"key": "r1", "title": "Rivers"}, {"key": "r2", "title": "Roads"}],
        },
    )
    made["paragraph"] = await osdi.post(
        osdi.href("osdi:questions"), {"name": "Where from", "question_type": "Paragraph"}
    )
    made["phone_bank"] = await osdi.post(
        osdi.href("osdi:phone_bank"), {"name": "Signups", "identifiers": ["system_1:pb-1"]}
    )
    return made


def _signup(made: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(SEED_SIGNUP)
    body["add_tags_uri"] = [made["speaker"]["_links"]["self"]["href"]]
    body["add_lists_uri"] = [made["callers"]["_links"]["self"]["href"]]
    body["add_questions_responses_uri"] = [
        {"question": made["choice"]["_links"]["self"]["href"], "responses": ["r1", "r2", "r2"]},
        {
            "question": made["paragraph"]["_links"]["self"]["href"],
            "value": "Heard about the candidate at the Labor Day Picnic",
        },
    ]
    own_bank = made["phone_bank"]["identifiers"][0]
    body["triggers"]["call_response"]["identifiers"].append(own_bank)
    return body


async def test_seed_signup_creates_the_person_with_every_helper_action(
    osdi: Osdi, client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    session.add(
        WebhookSubscription(
            organization_id=tenant.organization_id,
            url="https://crm.example.org/hooks",
            events=["person.autoresponse", "person.sms_response"],
            secret="s",
        )
    )
    await session.flush()
    made = await _arrange(osdi)
    person = await osdi.post(osdi.href("osdi:person_signup_helper"), _signup(made))

    assert person["identifiers"][0].startswith("phonebank:")
    assert "foreign_system:1" in person["identifiers"]
    assert (person["given_name"], person["family_name"], person["gender"]) == (
        "Labadie",
        "Edwin",
        "Male",
    )
    assert person["phone_numbers"][0]["number"] == "19876543210"
    assert person["email_addresses"][0]["address"] == "test-3@example.com"
    assert person["postal_addresses"][0]["locality"] == "New Dudley"
    # Every field of an address the helper accepts comes back as sent (status included).
    for kind in ("postal_addresses", "email_addresses"):
        sent = SEED_SIGNUP["person"][kind][0]
        assert {key: person[kind][0].get(key) for key in sent} == sent
    assert person["created_date"].endswith("Z") and person["modified_date"]

    taggings = await osdi.follow("osdi:taggings", person)
    tag_links = {
        item["_links"]["osdi:tag"]["href"] for item in taggings["_embedded"]["osdi:taggings"]
    }
    assert tag_links == {
        made[name]["_links"]["self"]["href"] for name in ("volunteer", "donor", "speaker")
    }
    items = await osdi.follow("osdi:items", person)
    assert {item["_links"]["osdi:list"]["href"] for item in items["_embedded"]["osdi:items"]} == {
        made["supporters"]["_links"]["self"]["href"],
        made["callers"]["_links"]["self"]["href"],
    }
    answers = (await osdi.follow("osdi:answers", person))["_embedded"]["osdi:answers"]
    by_question = {item["_links"]["osdi:question"]["href"]: item for item in answers}
    assert by_question[made["choice"]["_links"]["self"]["href"]]["responses"] == ["r1", "r2"]
    paragraph = by_question[made["paragraph"]["_links"]["self"]["href"]]
    assert paragraph["value"].startswith("Heard about")
    question_answers = await osdi.follow("osdi:answers", made["choice"])
    assert question_answers["total_records"] == 1

    # The call trigger named our phone bank by its own identifier and by the client's one.
    person_id = person["identifiers"][0].split(":", 1)[1]
    calls = (
        await client.get("/api/v1/calls", params={"person_id": person_id}, headers=tenant.headers)
    ).json()
    assert calls["total"] == 1
    assert calls["items"][0]["campaign_id"] == made["phone_bank"]["identifiers"][0].split(":")[1]
    events = (await session.scalars(select(WebhookDelivery.event))).all()
    assert sorted(events) == ["person.autoresponse", "person.sms_response"]

    # The same signup again matches the person by email: no second person, no second call.
    again = await osdi.post(osdi.href("osdi:person_signup_helper"), _signup(made))
    assert again["identifiers"][0] == person["identifiers"][0]
    calls = (
        await client.get("/api/v1/calls", params={"person_id": person_id}, headers=tenant.headers)
    ).json()
    assert calls["total"] == 1
    assert (await osdi.follow("osdi:people"))["total_records"] == 1


async def test_match_by_email_then_by_phone_and_merge(osdi: Osdi) -> None:
    helper = osdi.href("osdi:person_signup_helper")
    first = await osdi.post(
        helper,
        {
            "person": {
                "given_name": "Ada",
                "email_addresses": [{"address": "Ada@Example.org"}],
                "phone_numbers": [{"number": "+1 (415) 555-2671"}],
            }
        },
    )
    # By email, whatever its case: a new address is added, the old one stays.
    by_email = await osdi.post(
        helper,
        {
            "person": {
                "email_addresses": [{"address": "ada@example.org"}, {"address": "a2@example.org"}],
                "family_name": "Lovelace",
            }
        },
    )
    assert by_email["identifiers"][0] == first["identifiers"][0]
    assert by_email["given_name"] == "Ada" and by_email["family_name"] == "Lovelace"
    assert [item["address"] for item in by_email["email_addresses"]] == [
        "ada@example.org",
        "a2@example.org",
    ]
    # By phone, typed with or without the plus and in any formatting.
    for typed in ("14155552671", "415.555.2671", "+14155552671"):
        by_phone = await osdi.post(
            helper,
            {
                "person": {
                    "email_addresses": [{"address": f"n{len(typed)}@example.org"}],
                    "phone_numbers": [{"number": typed}],
                }
            },
        )
        assert by_phone["identifiers"][0] == first["identifiers"][0], typed
    assert [item["number"] for item in by_phone["phone_numbers"]] == ["14155552671"]
    # No email or number in common: a new person. Then null clears a field.
    other = await osdi.post(
        helper, {"person": {"given_name": "Grace", "phone_numbers": [{"number": "4155552672"}]}}
    )
    assert other["identifiers"][0] != first["identifiers"][0]
    cleared = await osdi.post(
        helper,
        {"person": {"phone_numbers": [{"number": "4155552672"}], "given_name": None}},
    )
    assert cleared["identifiers"][0] == other["identifiers"][0]
    assert cleared["given_name"] is None
    assert (await osdi.follow("osdi:people"))["total_records"] == 2


async def test_post_on_the_people_collection_is_the_signup_helper(osdi: Osdi) -> None:
    people = osdi.href("osdi:people")
    created = await osdi.post(
        people, {"person": {"given_name": "Bo", "email_addresses": [{"address": "bo@example.org"}]}}
    )
    bare = await osdi.post(
        people, {"family_name": "Bee", "email_addresses": [{"address": "BO@example.org"}]}
    )
    assert bare["identifiers"][0] == created["identifiers"][0]
    assert bare["family_name"] == "Bee"


async def test_put_changes_only_fields_sent_and_replaces_arrays(osdi: Osdi) -> None:
    person = await osdi.post(
        osdi.href("osdi:people"),
        {
            "given_name": "Cy",
            "family_name": "Young",
            "email_addresses": [{"address": "cy@example.org"}, {"address": "cy2@example.org"}],
        },
    )
    url = osdi.href("self", person)
    changed = await osdi.put(
        url, {"family_name": "Old", "email_addresses": [{"address": "new@example.org"}]}
    )
    assert changed["given_name"] == "Cy" and changed["family_name"] == "Old"
    assert [item["address"] for item in changed["email_addresses"]] == ["new@example.org"]
    assert (await osdi.get(url))["family_name"] == "Old"
    cleared = await osdi.put(url, {"email_addresses": None})
    assert cleared["email_addresses"] == []
    deleted = await osdi.delete(url)
    assert deleted == {"notice": "This person was successfully deleted."}
    assert error_of(await osdi.get(url, expect=404))["response_code"] == 404


async def test_return_response_false(osdi: Osdi) -> None:
    body = {"person": {"given_name": "Quiet"}, "osdi:control": {"return_response": False}}
    answer = await osdi.post(osdi.href("osdi:person_signup_helper"), body)
    assert "given_name" not in answer and answer["notice"]
    assert (await osdi.follow("osdi:people"))["total_records"] == 1


async def test_bad_input_is_refused_with_osdi_errors(osdi: Osdi) -> None:
    helper = osdi.href("osdi:person_signup_helper")
    made = await _arrange(osdi)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"person": {"email_addresses": [{"address": "not an email"}]}}, "person.email_addresses"),
        ({"person": {"phone_numbers": [{"number": "12"}]}}, "phone_numbers[0].number"),
        ({"person": {"given_name": "X"}, "add_tags": ["nope"]}, "add_tags[0]"),
        ({"person": {"given_name": "X"}, "add_lists": ["nope"]}, "add_lists[0]"),
        ({"person": {"given_name": "X"}, "add_tags_uri": ["https://x/y"]}, "add_tags_uri[0]"),
        (
            {
                "person": {"given_name": "X"},
                "add_questions_responses_uri": [
                    {"question": made["choice"]["_links"]["self"]["href"], "responses": ["r9"]}
                ],
            },
            "add_questions_responses_uri[0].responses[0]",
        ),
        (
            {
                "person": {"given_name": "X"},
                "add_questions_responses_uri": [
                    {"question": made["paragraph"]["_links"]["self"]["href"], "responses": ["r1"]}
                ],
            },
            "add_questions_responses_uri[0].responses",
        ),
        ({"add_tags": ["volunteer"]}, "person"),
        (
            {"person": {"identifiers": ["phonebank:00000000-0000-4000-8000-000000000000"]}},
            "person.identifiers[0]",
        ),
        ({"person": {}}, "person.given_name"),
    ]
    for body, field in cases:
        answer = await osdi.post(helper, body, expect=400)
        assert error_of(answer)["response_code"] == 400
        assert any(field in prop for prop in properties_of(answer)), (field, answer)
    # Nothing of a refused signup was kept.
    assert (await osdi.follow("osdi:people"))["total_records"] == 0


async def test_pages_of_60_people_by_25_until_an_empty_page(osdi: Osdi) -> None:
    people = osdi.href("osdi:people")
    for index in range(60):
        await osdi.post(
            people, {"given_name": f"P{index}", "osdi:control": {"return_response": False}}
        )
    seen: list[str] = []
    page = await osdi.get(people, per_page=25)
    pages = 1
    while "next" in page["_links"]:
        assert page["total_records"] == 60 and page["total_pages"] == 3 and page["per_page"] == 25
        embedded = page["_embedded"]["osdi:people"]
        assert [link["href"] for link in page["_links"]["osdi:people"]] == [
            item["_links"]["self"]["href"] for item in embedded
        ]
        seen += [item["identifiers"][0] for item in embedded]
        page = await osdi.get(page["_links"]["next"]["href"])
        pages += 1
        assert "previous" in page["_links"]
    seen += [item["identifiers"][0] for item in page["_embedded"]["osdi:people"]]
    assert pages == 3 and len(seen) == 60 and len(set(seen)) == 60
    past = await osdi.get(people, per_page=25, page=4)
    assert past["_embedded"] == {"osdi:people": []} and past["_links"]["osdi:people"] == []
    assert past["page"] == 4 and past["total_records"] == 60


async def test_filters(osdi: Osdi, session: AsyncSession, tenant: Tenant) -> None:
    people = osdi.href("osdi:people")
    old = await osdi.post(
        people, {"given_name": "Old", "email_addresses": [{"address": "old@example.org"}]}
    )
    new = await osdi.post(
        people, {"given_name": "New", "phone_numbers": [{"number": "2025550143"}]}
    )
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    await session.execute(
        update(Person)
        .where(Person.organization_id == tenant.organization_id, Person.given_name == "Old")
        .values(modified_at=long_ago, created_at=long_ago)
        .execution_options(synchronize_session=False)
    )
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def names(expression: str) -> list[str]:
        page = await osdi.get(people, filter=expression)
        return sorted(item["given_name"] for item in page["_embedded"]["osdi:people"])

    assert await names(f"modified_date gt '{since}'") == ["New"]
    assert await names("modified_date lt '2021-01-01'") == ["Old"]
    assert await names("created_date le '2020-01-01T00:00:00Z'") == ["Old"]
    assert await names("email_address eq 'OLD@example.org'") == ["Old"]
    assert await names("phone_number eq '+1 202-555-0143'") == ["New"]
    assert await names(f"email_address eq 'old@example.org' or modified_date gt '{since}'") == [
        "New",
        "Old",
    ]
    assert await names(f"(email_address eq 'old@example.org') and modified_date gt '{since}'") == []
    assert old["given_name"] == "Old" and new["given_name"] == "New"

    for expression, where in (
        ("modified_date gt", "the end"),
        ("modified_date zz '2020-01-01'", "position 14"),
        ("modified_date gt 'yesterday'", "position 0"),
        ("shoe_size eq 4", "position 0"),
        ("email_address gt 'a@b.c'", "position 0"),
        ("given_name eq 'x' and", "the end"),
    ):
        answer = await osdi.get(people, filter=expression, expect=400)
        assert where in error_of(answer)["error_description"], (expression, answer)
        assert properties_of(answer) == ["filter"]
