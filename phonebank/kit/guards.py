"""Checks every request passes before its route: text the databases cannot store is refused."""

import json
from collections.abc import Iterator
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import HTTPConnection, Request

NUL = "\x00"
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"


def _nul_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where in decoded JSON a string (or a key) holds a NUL character."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield (*path, key)
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def _error(location: tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "value_error", "loc": location, "msg": NUL_MESSAGE, "input": None}


async def _body_errors(request: Request) -> list[dict[str, Any]]:
    content_type = request.headers.get("content-type", "")
    if "json" not in content_type:
        return []  # forms and uploads are read by their routes; XML cannot carry NUL at all
    raw = await request.body()  # kept by the request: the route reads it again for free
    if b"\\u0000" not in raw and b"\x00" not in raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []  # the route's own parsing reports malformed JSON
    return [_error(("body", *path)) for path in _nul_paths(data)]


async def reject_nul_characters(connection: HTTPConnection) -> None:
    """Refuse NUL characters in the path, the query and JSON bodies, naming where they are.

    PostgreSQL cannot store them in text; caught here, they are a validation error like any
    other instead of a failure deep in a statement.
    """
    errors = [
        _error(("path", name))
        for name, value in connection.path_params.items()
        if NUL in str(value)
    ]
    errors += [
        _error(("query", name))
        for name, value in connection.query_params.multi_items()
        if NUL in value or NUL in name
    ]
    if isinstance(connection, Request) and connection.method in {"POST", "PUT", "PATCH"}:
        errors += await _body_errors(connection)
    if errors:
        raise RequestValidationError(errors)
