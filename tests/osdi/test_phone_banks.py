"""OSDI phone banks (seed 000): every scenario with the seed's bodies, and phone bank results."""

import copy
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.models import Answer, Call, Result
from tests.conftest import Tenant
from tests.osdi.conftest import Osdi, error_of, properties_of

# The seed's POST body (its trailing comma dropped); links are replaced by ours.
SEED_POST: dict[str, Any] = {
    "identifiers": ["foreign_system:1"],
    "origin_system": "OSDI Sample System",
    "name": "Rally for Rivers",
    "title": "Rally for Rivers Team 1",
    "description": "Rally for Rivers phone bank for Team 1",
    "summary": "Rally for Rivers phone bank effort 1 for Team 1",
    "start_time": "2018-02-19T8:00:00Z",
    "end_time": "2018-02-20T8:00:00Z",
    "daily_start_hour": 9,
    "daily_stop_hour": 17,
    "type": "power",
    "caller_id": "18552345678",
    "voicemail_audio_url": "http://osdi-sample-system.org/audio-files/rally-voicemail.mp3",
    "_links": {},
}
SEED_PUT = {
    "name": "Rally for Mountains",
    "title": "Rally for Mountains Team 2",
    "description": "Rally for Mountains phone bank for Team 2",
    "summary": "Rally for Mountains phone bank effort 1 for Team 2",
    "status": "started",
}
FIELDS = (
    "identifiers",
    "origin_system",
    "created_date",
    "modified_date",
    "name",
    "title",
    "description",
    "summary",
    "start_time",
    "end_time",
    "daily_start_hour",
    "daily_stop_hour",
    "caller_id",
    "status",
    "dialing_mode",
    "voicemail_audio_url",
    "administrative_url",
    "browser_url",
    "total_completed",
)


def url_id(resource: dict[str, Any]) -> str:
    """The id at the end of a resource's self link."""
    return str(resource["_links"]["self"]["href"]).rsplit("/", 1)[1]


async def _links(osdi: Osdi) -> dict[str, Any]:
    script = await osdi.post(osdi.href("osdi:scripts"), {"name": "Rally script"})
    target = await osdi.post(osdi.href("osdi:lists"), {"name": "targets"})
    volunteers = await osdi.post(osdi.href("osdi:lists"), {"name": "volunteers"})
    return {
        "osdi:script": {"href": script["_links"]["self"]["href"]},
        "osdi:target_list": {"href": target["_links"]["self"]["href"]},
        "osdi:volunteers": {"href": volunteers["_links"]["self"]["href"]},
    }


async def test_seed_scenarios_create_list_read_update_delete(osdi: Osdi) -> None:
    body = copy.deepcopy(SEED_POST)
    body["_links"] = await _links(osdi)
    created = await osdi.post(osdi.href("osdi:phone_bank"), body)
    for field in FIELDS:
        assert field in created, field
    assert created["identifiers"][0].startswith("phonebank:")
    assert created["identifiers"][1] == "foreign_system:1"
    assert created["start_time"] == "2018-02-19T08:00:00Z"
    assert created["caller_id"] == "18552345678"
    assert (created["type"], created["dialing_mode"]) == ("power", "power")
    assert created["status"] == "draft" and created["total_completed"] == 0
    # The campaign's page in the organizer console, not the JSON API.
    assert created["administrative_url"].endswith("/admin/campaigns/" + url_id(created))
    for rel in ("osdi:script", "osdi:target_list", "osdi:volunteers"):
        assert created["_links"][rel] == body["_links"][rel]
    assert created["_links"]["osdi:phone_bank_results"]["href"].endswith("/phone_bank_results")

    listed = await osdi.follow("osdi:phone_bank")
    assert listed["total_records"] == 1
    assert listed["_links"]["osdi:phone_bank"] == [created["_links"]["self"]]
    assert listed["_embedded"]["osdi:phone_bank"][0]["name"] == "Rally for Rivers"
    url = osdi.href("self", created)
    assert (await osdi.get(url))["title"] == "Rally for Rivers Team 1"

    updated = await osdi.put(url, SEED_PUT)
    for field, value in SEED_PUT.items():
        assert updated[field] == value
    assert updated["daily_stop_hour"] == 17 and updated["type"] == "power"
    assert updated["modified_date"] >= created["modified_date"]

    # A started phone bank runs: it must be stopped before it can go.
    refused = await osdi.delete(url, expect=409)
    assert properties_of(refused) == ["status"]
    await osdi.put(url, {"status": "stopped"})
    assert await osdi.delete(url) == {"notice": "This phonebank was successfully deleted."}
    assert error_of(await osdi.get(url, expect=404))["response_code"] == 404


async def test_modes_statuses_and_refusals(osdi: Osdi) -> None:
    banks = osdi.href("osdi:phone_bank")
    manual = await osdi.post(banks, {"name": "m", "dialing_mode": "manual", "status": "pending"})
    assert (manual["dialing_mode"], manual["status"]) == ("manual", "draft")
    predictive = await osdi.post(banks, {"name": "p", "type": "Predictive"})
    assert predictive["dialing_mode"] == "predictive"
    for body, field in (
        ({"name": "x", "type": "telepathy"}, "type"),
        (
            {"name": "x", "_links": {"osdi:script": {"href": f"/scripts/{uuid.uuid4()}"}}},
            "_links.osdi:script",
        ),
        ({"name": "x", "daily_start_hour": 9, "daily_stop_hour": 9}, "daily_stop_hour"),
        ({"title": "no name"}, "name"),
        ({"name": "x", "caller_id": "12"}, "caller_id"),
    ):
        refused = await osdi.post(banks, body, expect=400)
        assert any(field in prop for prop in properties_of(refused)), (body, refused)
    refused = await osdi.put(osdi.href("self", manual), {"status": "paused"}, expect=409)
    assert properties_of(refused) == ["status"]
    quiet = await osdi.post(banks, {"name": "q", "osdi:control": {"return_response": False}})
    assert "name" not in quiet
    assert (await osdi.follow("osdi:phone_bank"))["total_records"] == 3


async def test_results_listed_under_phone_bank_person_and_collection(
    osdi: Osdi, session: AsyncSession, tenant: Tenant
) -> None:
    question = await osdi.post(
        osdi.href("osdi:questions"),
        {
            "name": "Support",
            "question_type": "SingleChoice",
            "responses": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
        },
    )
    bank = await osdi.post(osdi.href("osdi:phone_bank"), {"name": "Results"})
    person = await osdi.post(osdi.href("osdi:people"), {"given_name": "Reached"})
    bank_id = uuid.UUID(bank["identifiers"][0].split(":")[1])
    person_id = uuid.UUID(person["identifiers"][0].split(":")[1])
    question_id = uuid.UUID(question["identifiers"][0].split(":")[1])
    caller = Caller(organization_id=tenant.organization_id, name="Vol")
    call = Call(
        organization_id=tenant.organization_id,
        campaign_id=bank_id,
        person_id=person_id,
        status="completed",
    )
    session.add_all([caller, call])
    await session.flush()
    result = Result(
        call_id=call.id, campaign_id=bank_id, caller_id=caller.id, disposition="support"
    )
    session.add(result)
    await session.flush()
    session.add(
        Answer(person_id=person_id, result_id=result.id, question_id=question_id, responses=["yes"])
    )
    await session.flush()

    bank = await osdi.get(osdi.href("self", bank))
    assert bank["total_completed"] == 1
    for page in (
        await osdi.follow("osdi:phone_bank_results", bank),
        await osdi.follow("osdi:phone_bank_results", person),
        await osdi.follow("osdi:phone_bank_results"),
    ):
        assert page["total_records"] == 1
        shown = page["_embedded"]["osdi:phone_bank_results"][0]
        assert shown["disposition"] == "support"
        assert shown["_links"]["osdi:person"] == person["_links"]["self"]
        assert shown["_links"]["osdi:phone_bank"] == bank["_links"]["self"]
        assert shown["_links"]["osdi:caller"]["href"].endswith(f"/api/v1/callers/{caller.id}")
        assert shown["answers"] == [
            {"question": question["_links"]["self"]["href"], "responses": ["yes"], "value": None}
        ]
    one = await osdi.get(shown["_links"]["self"]["href"])
    assert one["identifiers"] == [f"phonebank:{result.id}"]
    answers = await osdi.follow("osdi:answers", person)
    assert (
        answers["_embedded"]["osdi:answers"][0]["_links"]["osdi:phone_bank_result"]
        == one["_links"]["self"]
    )


async def test_phone_banks_answer_to_both_relation_names(osdi: Osdi) -> None:
    """The seed's text says `osdi:phonebanks`, its examples `osdi:phone_bank`: both work."""
    assert osdi.href("osdi:phonebanks") == osdi.href("osdi:phone_bank")
    created = await osdi.post(osdi.href("osdi:phonebanks"), {"name": "Either name"})
    listed = await osdi.follow("osdi:phonebanks")
    for rel in ("osdi:phone_bank", "osdi:phonebanks"):
        assert listed["_links"][rel] == [created["_links"]["self"]]
        assert listed["_embedded"][rel][0]["name"] == "Either name"
