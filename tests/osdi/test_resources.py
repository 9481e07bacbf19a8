"""OSDI tags and taggings, lists and items, questions and answers, scripts."""

from typing import Any

from tests.osdi.conftest import Osdi, error_of, properties_of


async def _person(osdi: Osdi, name: str) -> dict[str, Any]:
    return await osdi.post(osdi.href("osdi:people"), {"given_name": name})


async def test_tags_and_taggings(osdi: Osdi) -> None:
    tags = osdi.href("osdi:tags")
    tag = await osdi.post(tags, {"name": "volunteer", "identifiers": ["crm:tag-7"]})
    assert tag["identifiers"][1:] == ["crm:tag-7"] and tag["name"] == "volunteer"
    assert error_of(await osdi.post(tags, {"name": "volunteer"}, expect=409))
    await osdi.post(tags, {"name": "donor"})
    only = await osdi.get(tags, filter="name eq 'donor'")
    assert [item["name"] for item in only["_embedded"]["osdi:tags"]] == ["donor"]

    person = await _person(osdi, "Tagged")
    taggings = osdi.href("osdi:taggings", tag)
    body = {"_links": {"osdi:person": {"href": person["_links"]["self"]["href"]}}}
    tagging = await osdi.post(taggings, body)
    assert tagging["_links"]["osdi:person"] == person["_links"]["self"]
    assert tagging["_links"]["osdi:tag"] == tag["_links"]["self"]
    again = await osdi.post(taggings, body)
    assert again["identifiers"] == tagging["identifiers"]
    listed = await osdi.get(taggings)
    assert listed["total_records"] == 1
    assert (await osdi.follow("osdi:taggings", person))["total_records"] == 1
    assert (await osdi.get(osdi.href("self", tagging)))["identifiers"] == tagging["identifiers"]

    refused = await osdi.post(taggings, {"_links": {}}, expect=400)
    assert properties_of(refused) == ["_links.osdi:person"]
    refused = await osdi.post(
        taggings,
        {"_links": {"osdi:person": {"href": "https://elsewhere.example/people/1"}}},
        expect=400,
    )
    assert properties_of(refused) == ["_links.osdi:person"]

    deleted = await osdi.delete(osdi.href("self", tagging))
    assert deleted["notice"]
    assert (await osdi.get(taggings))["total_records"] == 0
    renamed = await osdi.put(osdi.href("self", tag), {"description": "helps"})
    assert renamed["name"] == "volunteer" and renamed["description"] == "helps"
    assert (await osdi.delete(osdi.href("self", tag)))["notice"]
    await osdi.get(osdi.href("self", tag), expect=404)


async def test_lists_and_items(osdi: Osdi) -> None:
    lists = osdi.href("osdi:lists")
    person_list = await osdi.post(lists, {"name": "Walkers", "title": "Walk team"})
    assert person_list["total_items"] == 0
    people = [await _person(osdi, f"W{index}") for index in range(3)]
    items = osdi.href("osdi:items", person_list)
    made = [
        await osdi.post(
            items, {"_links": {"osdi:person": {"href": item["_links"]["self"]["href"]}}}
        )
        for item in people
    ]
    assert (await osdi.get(osdi.href("self", person_list)))["total_items"] == 3
    page = await osdi.get(items, per_page=2)
    assert page["total_pages"] == 2 and len(page["_embedded"]["osdi:items"]) == 2
    assert (await osdi.follow("osdi:items", people[0]))["total_records"] == 1
    await osdi.delete(osdi.href("self", made[0]))
    assert (await osdi.get(items))["total_records"] == 2
    changed = await osdi.put(osdi.href("self", person_list), {"summary": "Sunday walks"})
    assert changed["summary"] == "Sunday walks" and changed["title"] == "Walk team"
    assert (await osdi.delete(osdi.href("self", person_list)))["notice"]


async def test_questions_answers_and_scripts(osdi: Osdi) -> None:
    script = await osdi.post(
        osdi.href("osdi:scripts"),
        {"name": "Intro", "texts": [{"content": "Hello, I am calling about the rally."}]},
    )
    assert script["texts"][0]["content"].startswith("Hello")
    question = await osdi.post(
        osdi.href("osdi:questions"),
        {
            "name": "Coming?",
            "question_type": "SingleChoice",
            "responses": [{"key": "y", "title": "Yes"}, {"key": "n", "title": "No"}],
            "_links": {"osdi:script": {"href": script["_links"]["self"]["href"]}},
        },
    )
    assert question["responses"][0] == {"key": "y", "name": "Yes", "title": "Yes"}
    assert question["_links"]["osdi:script"] == script["_links"]["self"]
    in_script = await osdi.follow("osdi:questions", await osdi.get(osdi.href("self", script)))
    assert in_script["_embedded"]["osdi:questions"][0]["name"] == "Coming?"

    for body, field in (
        ({"name": "Bad", "question_type": "Paragraph", "responses": [{"key": "a"}]}, "responses"),
        (
            {"name": "Bad", "question_type": "SingleChoice", "responses": [{"key": "a"}]},
            "responses",
        ),
        ({"name": "Bad", "question_type": "Essay"}, "question_type"),
    ):
        refused = await osdi.post(osdi.href("osdi:questions"), body, expect=400)
        assert any(field in prop for prop in properties_of(refused)), refused

    person = await _person(osdi, "Answers")
    helper = osdi.href("osdi:person_signup_helper")
    signup = {
        "person": {"identifiers": person["identifiers"][:1]},
        "add_questions_responses_uri": [
            {"question": question["_links"]["self"]["href"], "responses": ["Yes"]}
        ],
    }
    await osdi.post(helper, signup)
    answers = await osdi.follow("osdi:answers")
    assert answers["total_records"] == 1
    answer = answers["_embedded"]["osdi:answers"][0]
    assert answer["responses"] == ["y"]
    assert answer["_links"]["osdi:person"] == person["_links"]["self"]
    signup["add_questions_responses_uri"][0]["responses"] = ["y", "n"]
    refused = await osdi.post(helper, signup, expect=400)
    assert "exactly one" in error_of(refused)["error_description"]

    changed = await osdi.put(osdi.href("self", question), {"title": "Will you come?"})
    assert changed["title"] == "Will you come?" and changed["question_type"] == "SingleChoice"
    assert (await osdi.delete(osdi.href("self", question)))["notice"]
    assert (await osdi.follow("osdi:answers"))["total_records"] == 0
    assert (await osdi.delete(osdi.href("self", script)))["notice"]
