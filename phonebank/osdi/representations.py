"""Stored objects as OSDI resources: field names, links and identifiers."""

import uuid
from collections.abc import Sequence
from typing import Any

from phonebank.calls.models import Answer, Result
from phonebank.calls.results import ResultWithPerson
from phonebank.campaigns.service import CampaignWithTotals
from phonebank.kit.urls import absolute_url
from phonebank.lists.models import ListItem, PersonList
from phonebank.osdi.hal import date, identifiers, link, phone_digits, timestamps
from phonebank.people.models import Person
from phonebank.scripts.models import Question, Script
from phonebank.tags.models import Tag, Tagging

# Our dialing modes in OSDI's words (OSDI's `manual` is our preview).
DIALING_MODES_OUT = {"preview": "manual", "power": "power", "predictive": "predictive"}


def person(row: Person) -> dict[str, Any]:
    """A person resource."""
    path = f"/people/{row.id}"
    return {
        "identifiers": identifiers(row.id, [item.identifier for item in row.identifiers]),
        **timestamps(row),
        "given_name": row.given_name,
        "family_name": row.family_name,
        "additional_name": row.additional_name,
        "gender": row.gender,
        "origin_system": row.origin_system,
        "languages_spoken": row.languages_spoken,
        "custom_fields": row.custom_fields,
        "email_addresses": [
            {
                "address": item.address,
                "primary": item.primary,
                "address_type": item.address_type,
                "status": item.status,
            }
            for item in row.email_addresses
        ],
        "phone_numbers": [
            {
                "number": phone_digits(item.number),
                "primary": item.primary,
                "number_type": item.number_type,
                "sms_capable": item.sms_capable,
                "do_not_call": item.do_not_call,
            }
            for item in row.phone_numbers
        ],
        "postal_addresses": [
            {
                "primary": item.primary,
                "address_type": item.address_type,
                "address_lines": item.address_lines,
                "locality": item.locality,
                "region": item.region,
                "postal_code": item.postal_code,
                "country": item.country,
                "time_zone": item.time_zone,
                "status": item.status,
            }
            for item in row.postal_addresses
        ],
        "_links": {
            "self": link(path),
            "osdi:taggings": link(f"{path}/taggings"),
            "osdi:items": link(f"{path}/items"),
            "osdi:answers": link(f"{path}/answers"),
            "osdi:phone_bank_results": link(f"{path}/phone_bank_results"),
        },
    }


def _resource(
    row: Any, foreign: Sequence[str], fields: dict[str, Any], links: dict[str, Any]
) -> dict[str, Any]:
    """A stored object as a resource: its identifiers and timestamps, `fields`, and `links`."""
    return {
        "identifiers": identifiers(row.id, foreign),
        **timestamps(row),
        **fields,
        "_links": links,
    }


def _membership(
    row: ListItem | Tagging, *, parent: str, parent_id: uuid.UUID, rel: str, members: str
) -> dict[str, Any]:
    """One person in a group (an item of a list, a tagging of a tag), linked to both."""
    return {
        "identifiers": identifiers(row.id),
        **timestamps(row),
        "item_type": "osdi:person",
        "_links": {
            "self": link(f"/{parent}/{parent_id}/{members}/{row.id}"),
            f"osdi:{rel}": link(f"/{parent}/{parent_id}"),
            "osdi:person": link(f"/people/{row.person_id}"),
        },
    }


def tag(row: Tag, foreign: Sequence[str] = ()) -> dict[str, Any]:
    """A tag resource."""
    path = f"/tags/{row.id}"
    fields = {
        "name": row.name,
        "description": row.description,
        "origin_system": row.origin_system,
    }
    links = {"self": link(path), "osdi:taggings": link(f"{path}/taggings")}
    return _resource(row, foreign, fields, links)


def tagging(row: Tagging) -> dict[str, Any]:
    """A tagging resource: one tag on one person."""
    return _membership(row, parent="tags", parent_id=row.tag_id, rel="tag", members="taggings")


def person_list(row: PersonList, foreign: Sequence[str] = ()) -> dict[str, Any]:
    """A list resource."""
    path = f"/lists/{row.id}"
    fields = {
        "name": row.name,
        "title": row.title,
        "description": row.description,
        "summary": row.summary,
        "origin_system": row.origin_system,
        "total_items": row.total_items,
    }
    links = {"self": link(path), "osdi:items": link(f"{path}/items")}
    return _resource(row, foreign, fields, links)


def item(row: ListItem) -> dict[str, Any]:
    """An item resource: one person on one list."""
    return _membership(row, parent="lists", parent_id=row.list_id, rel="list", members="items")


def question(row: Question, foreign: Sequence[str] = ()) -> dict[str, Any]:
    """A question resource with its possible responses."""
    path = f"/questions/{row.id}"
    fields = {
        "name": row.name,
        "title": row.title,
        "description": row.description,
        "question_type": row.question_type,
        "responses": [
            {"key": response.key, "name": response.name, "title": response.name}
            for response in row.responses
        ],
    }
    links = {
        "self": link(path),
        "osdi:answers": link(f"{path}/answers"),
        "osdi:script": link(f"/scripts/{row.script_id}"),
    }
    return _resource(row, foreign, fields, links)


def answer(row: Answer) -> dict[str, Any]:
    """An answer resource: a person's responses to one question."""
    links: dict[str, Any] = {
        "self": link(f"/answers/{row.id}"),
        "osdi:question": link(f"/questions/{row.question_id}"),
        "osdi:person": link(f"/people/{row.person_id}"),
    }
    if row.result_id is not None:
        links["osdi:phone_bank_result"] = link(f"/phone_bank_results/{row.result_id}")
    return {
        "identifiers": identifiers(row.id),
        **timestamps(row),
        "responses": row.responses,
        "value": row.value,
        "_links": links,
    }


def script(row: Script, foreign: Sequence[str] = ()) -> dict[str, Any]:
    """A script resource: its texts, and links to its questions."""
    path = f"/scripts/{row.id}"
    fields = {
        "name": row.name,
        "description": row.description,
        "origin_system": row.origin_system,
        "texts": [{"title": text.title, "content": text.content} for text in row.texts],
    }
    links = {
        "self": link(path),
        "osdi:questions": link(f"{path}/questions"),
        "osdi:question": [link(f"/questions/{item.id}") for item in row.questions],
    }
    return _resource(row, foreign, fields, links)


def phone_bank(row: CampaignWithTotals, foreign: Sequence[str] = ()) -> dict[str, Any]:
    """A phone bank resource: a campaign in the fields and links of the OSDI Phonebank."""
    path = f"/phone_bank/{row.id}"
    mode = DIALING_MODES_OUT.get(row.dialing_mode, row.dialing_mode)
    links: dict[str, Any] = {
        "self": link(path),
        "osdi:phone_bank_results": link(f"{path}/phone_bank_results"),
    }
    if row.script_id is not None:
        links["osdi:script"] = link(f"/scripts/{row.script_id}")
    if row.target_list_id is not None:
        links["osdi:target_list"] = link(f"/lists/{row.target_list_id}")
    if row.volunteers_list_id is not None:
        links["osdi:volunteers"] = link(f"/lists/{row.volunteers_list_id}")
    fields = {
        "origin_system": row.origin_system,
        "name": row.name,
        "title": row.title,
        "description": row.description,
        "summary": row.summary,
        "start_time": date(row.start_time),
        "end_time": date(row.end_time),
        "daily_start_hour": row.daily_start_hour,
        "daily_stop_hour": row.daily_stop_hour,
        "time_zone": row.time_zone,
        "caller_id": phone_digits(row.caller_id),
        "status": row.status,
        "dialing_mode": mode,
        "type": mode,
        "voicemail_audio_url": row.voicemail_audio_url,
        "administrative_url": absolute_url(f"/admin/campaigns/{row.id}"),  # the console page
        "browser_url": None,
        "total_completed": row.total_completed,
    }
    return _resource(row, foreign, fields, links)


def _answer_summary(row: Answer) -> dict[str, Any]:
    return {
        "question": link(f"/questions/{row.question_id}")["href"],
        "responses": row.responses,
        "value": row.value,
    }


def phone_bank_result(row: ResultWithPerson) -> dict[str, Any]:
    """A phone bank result: who was reached, by whom, the disposition and the answers."""
    result: Result = row.result
    links: dict[str, Any] = {
        "self": link(f"/phone_bank_results/{result.id}"),
        "osdi:phone_bank": link(f"/phone_bank/{result.campaign_id}"),
        "osdi:phonebank": link(f"/phone_bank/{result.campaign_id}"),
        "osdi:person": link(f"/people/{row.person_id}"),
    }
    if result.caller_id is not None:
        links["osdi:caller"] = {"href": absolute_url(f"/api/v1/callers/{result.caller_id}")}
    return {
        "identifiers": identifiers(result.id),
        **timestamps(result),
        "disposition": result.disposition,
        "notes": result.notes,
        "answers": [_answer_summary(item) for item in result.answers],
        "_links": links,
    }
