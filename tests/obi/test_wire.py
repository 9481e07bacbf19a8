"""JSON and XML on the wire: negotiation, safe parsing, the seed's codes for bad bodies."""

import pytest

from phonebank.errors import Invalid
from phonebank.obi.wire import parse_xml, to_xml
from tests.obi.conftest import Obi

XXE = """<?xml version="1.0"?>
<!DOCTYPE customer [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<customer><externalId>&xxe;</externalId><numbers>+13122345678</numbers></customer>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<customer><externalId>&lol3;</externalId></customer>"""


def test_xml_reads_objects_lists_and_wrapped_attributes() -> None:
    body = (
        b"<customer><externalId>7</externalId><numbers>1;2</numbers><attributes>"
        b"<attribute><name>City</name><value>New York</value></attribute></attributes>"
        b"<remarks/></customer>"
    )
    assert parse_xml(body, list_tags=["attribute"]) == {
        "externalId": "7",
        "numbers": "1;2",
        "attributes": {"attribute": [{"name": "City", "value": "New York"}]},
        "remarks": None,
    }
    items = parse_xml(
        b"<customers><customer><a>1</a></customer><customer/></customers>", as_list=True
    )
    assert items == [{"a": "1"}, None]


def test_xml_round_trip_of_a_list() -> None:
    document = to_xml([{"id": "A", "ok": True, "skip": None}], root="results", item="result")
    assert document.endswith(b"<results><result><id>A</id><ok>true</ok></result></results>")
    assert parse_xml(document, as_list=True) == [{"id": "A", "ok": "true"}]


@pytest.mark.parametrize("document", [XXE, BOMB, "<customer><numbers>1</customer>", "not xml"])
def test_unsafe_or_malformed_xml_is_refused(document: str) -> None:
    with pytest.raises(Invalid):
        parse_xml(document.encode())


@pytest.mark.parametrize("document", [XXE, BOMB, "<customer><numbers>1</customer>"])
async def test_unsafe_or_malformed_xml_bodies_get_400(obi: Obi, document: str) -> None:
    response = await obi.send("POST", f"/campaigns/{obi.campaign_id}/customers", xml=document)
    assert response.status_code == 400, response.text
    assert "passwd" not in response.text and "root:" not in response.text
    listed = await obi.get(f"/campaigns/{obi.campaign_id}/customers")
    assert listed.json() == []


async def test_malformed_json_is_400(obi: Obi) -> None:
    response = await obi.client.post(
        f"/obi/campaigns/{obi.campaign_id}/customers",
        content=b"{not json",
        headers=obi.headers({"Content-Type": "application/json"}),
    )
    assert response.status_code == 400


async def test_accept_chooses_the_format_or_406(obi: Obi) -> None:
    path = f"/obi/campaigns/{obi.campaign_id}"
    for accept, media_type in [
        ("application/json", "application/json"),
        ("application/xml", "application/xml"),
        ("text/xml", "application/xml"),
        ("*/*", "application/json"),
        ("application/xml;q=0.5, application/json", "application/json"),
        ("application/json;q=0.2, application/xml", "application/xml"),
    ]:
        response = await obi.client.get(path, headers=obi.headers({"Accept": accept}))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type), accept
    refused = await obi.client.get(path, headers=obi.headers({"Accept": "text/csv"}))
    assert refused.status_code == 406


async def test_unsupported_content_type_is_415(obi: Obi) -> None:
    for path, method in [
        (f"/obi/campaigns/{obi.campaign_id}/customers", "POST"),
        (f"/obi/campaigns/{obi.campaign_id}/customers/list", "POST"),
        (f"/obi/campaigns/{obi.campaign_id}", "PUT"),
    ]:
        response = await obi.client.request(
            method, path, content=b"a=b", headers=obi.headers({"Content-Type": "text/csv"})
        )
        assert response.status_code == 415, path
    status = await obi.client.put(
        f"/obi/campaigns/{obi.campaign_id}/status",
        json="Active",
        headers=obi.headers(),
    )
    assert status.status_code == 415
