"""The OpenAPI document: readable operation ids and summaries, and every error a route answers,
in the shape its face sends."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from phonebank.kit.examples import add_request_examples
from phonebank.kit.problems import PROBLEM_JSON

HAL_JSON = "application/hal+json"
OSDI_PREFIX = "/osdi/"
OBI_PREFIX = "/obi/"
# Paths whose errors the document describes (the telephony one is the callers' voice token).
FACES = ("/api/", "/osdi/", "/obi/", "/tapraise/", "/telephony/")
ERROR_TITLES = {
    400: "Invalid input (a field's value breaks a rule)",
    401: "Missing, malformed or unknown credentials",
    403: "The credentials lack the scope this route needs",
    404: "No such object in the caller's organization",
    409: "The change conflicts with the object's state or with another change",
    406: "The client accepts none of the formats offered (JSON, XML)",
    415: "The body is in a format this route does not read",
    422: "The request does not match the documented parameters or body",
    429: "Too many requests (for this key, address or login); retry after `Retry-After` seconds",
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error as `application/problem+json` (RFC 9457).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "The field at fault, when there is one."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
OSDI_ERROR_SCHEMA: dict[str, Any] = {
    "title": "OsdiError",
    "description": "An error as OSDI clients read it.",
    "type": "object",
    "required": ["osdi:error"],
    "properties": {
        "osdi:error": {
            "type": "object",
            "required": ["response_code", "error_description"],
            "properties": {
                "request_type": {"type": "string"},
                "response_code": {"type": "integer"},
                "error_description": {"type": "string"},
                "resource_status": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


# Nouns whose singular is not the plural less its `s`.
SINGULAR = {"people": "person"}


def operation_id(route: APIRoute) -> str:
    """A stable, readable operation id: the package, then the handler's name less the noun the
    package already says (`people.list`, `campaigns.start`, `osdi.get_person`)."""
    parts = route.endpoint.__module__.split(".")
    package = parts[1] if len(parts) > 2 else parts[-1]
    name = route.endpoint.__name__
    for noun in (package, SINGULAR.get(package, package.removesuffix("s"))):
        if name.endswith("_" + noun):
            return f"{package}.{name.removesuffix('_' + noun)}"
    return f"{package}.{name}"


def _needs_credentials(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


def _takes_input(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


def _error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    statuses: list[int] = []
    if _takes_input(operation) or _needs_credentials(operation):
        # A body or id can name something missing, break a rule or clash with stored state;
        # wrong credentials are a 401 on a route that takes them in the body too (logins).
        # Failed logins and failed credentials are counted, and back off with a 429.
        statuses += [400, 401, 404, 409, 429]
    if _needs_credentials(operation):
        statuses += [403, 429]
    if path.startswith(OBI_PREFIX):
        # OBI speaks JSON or XML, by the request's Accept and Content-Type.
        statuses += [406, 415] if method in {"post", "put"} else [406]
    # Any request can be refused as malformed (a NUL in its query, say): the OSDI face answers
    # request validation with 400, the others with 422.
    statuses.append(400 if path.startswith(OSDI_PREFIX) else 422)
    return sorted(set(statuses))


def _document_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    osdi = path.startswith(OSDI_PREFIX)
    if osdi:
        responses.pop("422", None)
        for response in responses.values():
            content = response.get("content", {})
            if "application/json" in content:
                content[HAL_JSON] = content.pop("application/json")
    if path.startswith(OBI_PREFIX):
        for code, response in responses.items():
            content = response.get("content", {})
            if code == "201":
                response["content"] = {"text/html": {"schema": {"type": "string"}}}
            elif "application/json" in content:
                content["application/xml"] = {"schema": {"type": "string"}}
    media_type, schema = (HAL_JSON, "OsdiError") if osdi else (PROBLEM_JSON, "Problem")
    for error in _error_statuses(path, method, operation):
        responses[str(error)] = {
            "description": ERROR_TITLES[error],
            "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }


def add_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Give every operation its docstring's first line as summary, and document the
    problem+json (or `osdi:error`) answers of every face operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["OsdiError"] = OSDI_ERROR_SCHEMA
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            # The summary is the docstring's first line, which says what the operation does.
            description = operation.get("description", "").strip()
            if description:
                operation["summary"] = description.splitlines()[0].strip()
            if path.startswith(FACES):
                _document_operation(path, method, operation)
    return document


def install_error_docs(app: FastAPI) -> None:
    """Serve `app`'s OpenAPI document with every face operation's errors described."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = add_error_responses(build())
            add_request_examples(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
