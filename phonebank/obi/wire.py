"""OBI's wire formats: JSON or XML by `Accept` and `Content-Type`, XML parsed safely.

XML follows the JAXB conventions OBI clients use: an object is an element per field, a list
field is its element repeated, and a list body is a root element holding one element per item.
"""

import json
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from fastapi import Request, Response
from starlette.exceptions import HTTPException

from phonebank.errors import Invalid

JSON = "application/json"
XML = "application/xml"
_XML_TYPES = (XML, "text/xml")
# Elements nest at most this deep: reading them into data recurses once per level.
MAX_XML_DEPTH = 64


def _media_types(header: str) -> list[tuple[str, float]]:
    types = []
    for part in header.split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            types.append((name.lower(), quality))
    return types


def request_format(request: Request) -> str:
    """The format of the request's body: XML when it says so, else JSON."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return XML if content_type in _XML_TYPES else JSON


def response_format(request: Request, *, fallback: str | None = None) -> str:
    """JSON or XML, whichever the `Accept` header prefers (JSON when it has no preference);
    when it accepts neither, `fallback` if given, else 406."""
    header = request.headers.get("accept", "")
    if not header.strip():
        return fallback or JSON
    best: tuple[float, str] | None = None
    for name, quality in _media_types(header):
        if quality <= 0:
            continue
        if name in {JSON, "application/*", "*/*"}:
            offer = JSON
        elif name in _XML_TYPES:
            offer = XML
        else:
            continue
        # Equal preference goes to the named type over a wildcard, then to JSON.
        rank = quality + (0.001 if name in {JSON, *_XML_TYPES} else 0.0)
        if best is None or rank > best[0]:
            best = (rank, offer)
    if best is None:
        if fallback is not None:
            return fallback
        raise HTTPException(406, "available as application/json or application/xml")
    return best[1]


def _element_value(element: Element, list_tags: frozenset[str]) -> Any:
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return text or None
    value: dict[str, Any] = {}
    for child in children:
        item = _element_value(child, list_tags)
        if child.tag in list_tags:
            value.setdefault(child.tag, []).append(item)
        elif child.tag in value:
            # A repeated element is a list even where none was expected.
            previous = value[child.tag]
            value[child.tag] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            value[child.tag] = item
    return value


def _check_depth(root: Element) -> None:
    """Invalid when elements nest deeper than `MAX_XML_DEPTH` (walked without recursion)."""
    level: list[tuple[Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > MAX_XML_DEPTH:
            raise Invalid(f"XML nested deeper than {MAX_XML_DEPTH} levels", field="body")
        level.extend((child, depth + 1) for child in element)


def parse_xml(body: bytes, *, list_tags: Iterable[str] = (), as_list: bool = False) -> Any:
    """An XML body as plain data; DTDs and entities are refused (no XXE, no entity bombs)."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Invalid("XML with a DTD or entities is not accepted", field="body") from None
    except ParseError as error:
        raise Invalid(f"malformed XML: {error}", field="body") from None
    _check_depth(root)
    tags = frozenset(list_tags)
    if as_list:
        return [_element_value(child, tags) for child in root]
    return _element_value(root, tags)


async def read_body(
    request: Request, *, list_tags: Iterable[str] = (), as_list: bool = False
) -> Any:
    """The request body as plain data, read as JSON or XML by its `Content-Type` (else 415)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in {JSON, *_XML_TYPES}:
        raise HTTPException(415, "send application/json or application/xml")
    # Its size was bounded before the route ran (kit/limits.py).
    body = await request.body()
    if content_type == JSON:
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Invalid("malformed JSON", field="body") from None
    return parse_xml(body, list_tags=list_tags, as_list=as_list)


async def read_text(request: Request) -> str:
    """A `text/plain` body (415 for any other type)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "text/plain":
        raise HTTPException(415, "send the value as text/plain")
    try:
        return (await request.body()).decode().strip()
    except UnicodeDecodeError:
        raise Invalid("the body is not UTF-8 text", field="body") from None


def _xml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                if one is not None:
                    _fill(SubElement(element, key), one)
    else:
        element.text = _xml_scalar(value)


def to_xml(data: Any, *, root: str, item: str | None = None) -> bytes:
    """`data` as an XML document under `root` (a list: one `item` element per entry)."""
    element = Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(SubElement(element, item or "item"), entry)
    else:
        _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + tostring(element)


def render(
    request: Request,
    data: Any,
    *,
    root: str,
    item: str | None = None,
    fallback: str | None = None,
) -> Response:
    """`data` in the format the client accepts (see `response_format`)."""
    if response_format(request, fallback=fallback) == XML:
        return Response(to_xml(data, root=root, item=item), media_type=XML)
    return Response(json.dumps(data, ensure_ascii=False), media_type=JSON)


def created(location: str, new_id: str) -> Response:
    """201 with the new id as the body and its address in `Location`."""
    return Response(new_id, status_code=201, media_type="text/html", headers={"Location": location})


def no_content() -> Response:
    """204, as OBI answers PUT and DELETE."""
    return Response(status_code=204)
