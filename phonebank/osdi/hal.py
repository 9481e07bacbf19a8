"""HAL+JSON for the OSDI face: links, identifiers, collections, paging, filters and errors."""

import logging
import math
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from phonebank.config import get_settings
from phonebank.errors import DomainError, Invalid
from phonebank.kit.filters import FilterExpr, parse_filter, rename_fields
from phonebank.kit.pagination import MAX_PAGE, MAX_PER_PAGE, PageParams
from phonebank.kit.problems import DATA_ERROR_DETAIL, is_data_error
from phonebank.kit.redaction import without_secrets
from phonebank.kit.urls import absolute_url

logger = logging.getLogger("phonebank.osdi")
HAL_JSON = "application/hal+json"
PREFIX = "/osdi/v1"
OSDI_VERSION = "1.2.0"
CURIES = [
    {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]
# OSDI filter field names and the names the services know them by.
FILTER_FIELDS = {
    "modified_date": "modified_at",
    "created_date": "created_at",
    "email_address": "email",
    "phone_number": "phone",
    "name": "name",
}


class HalResponse(JSONResponse):
    """A JSON body served as `application/hal+json`."""

    media_type = HAL_JSON


def namespace() -> str:
    """The system name of our own identifiers."""
    return get_settings().osdi_namespace


def href(path: str) -> str:
    """The absolute URL of an OSDI path."""
    return absolute_url(PREFIX + path)


def link(path: str) -> dict[str, str]:
    """A HAL link to an OSDI path."""
    return {"href": href(path)}


def identifiers(object_id: uuid.UUID, foreign: Sequence[str] = ()) -> list[str]:
    """Our identifier first, then the ones other systems gave."""
    own = f"{namespace()}:{object_id}"
    return [own, *(item for item in foreign if item != own)]


def foreign_only(values: Sequence[str] | None) -> list[str]:
    """The identifiers a client sent, less our own (those name the object, they are not data)."""
    prefix = f"{namespace()}:"
    return [value for value in values or [] if not value.startswith(prefix)]


def date(moment: datetime | None) -> str | None:
    """A timestamp as OSDI shows it: UTC, to the second, with `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamps(row: Any) -> dict[str, str | None]:
    """`created_date` and `modified_date` of a row with timestamps."""
    return {"created_date": date(row.created_at), "modified_date": date(row.modified_at)}


def phone_digits(e164: str | None) -> str | None:
    """A stored number as OSDI writes it: digits with the country code, no plus."""
    return e164.lstrip("+") if e164 else None


def id_from_reference(reference: str, *, collection: str, field: str) -> uuid.UUID:
    """The id in a link to one of our objects (`.../<collection>/<uuid>`) or in our identifier
    (`phonebank:<uuid>`); Invalid naming `field` otherwise."""
    text = (reference or "").strip()
    own = f"{namespace()}:"
    if text.startswith(own):
        text = text[len(own) :]
    else:
        segments = [part for part in urlsplit(text).path.split("/") if part]
        if len(segments) >= 2 and segments[-2] == collection:
            text = segments[-1]
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid(
            f"{reference!r} is not a link to one of our {collection} nor a `{own}<id>` identifier",
            field=field,
        ) from None


def osdi_page_params(
    page: int = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1."),
    per_page: int = Query(25, ge=1, le=MAX_PER_PAGE, description="Items per page."),
) -> PageParams:
    """Read `page` and `per_page` from the query string."""
    return PageParams(page=page, per_page=per_page)


def osdi_filter(
    filter: Annotated[
        str | None,
        Query(description="OData subset: `modified_date gt '2024-01-01T00:00:00Z'`, ..."),
    ] = None,
) -> FilterExpr | None:
    """The parsed `filter` query parameter, with OSDI field names mapped to ours."""
    if filter is None:
        return None
    return rename_fields(parse_filter(filter), FILTER_FIELDS)


# The seed's text names the phone bank relations `osdi:phonebank` / `osdi:phonebanks`, its
# examples `osdi:phone_bank`: a collection under one is offered under the other too.
REL_ALIASES = {"phone_bank": "phonebanks"}


def collection(
    request: Request,
    *,
    rel: str,
    items: list[dict[str, Any]],
    params: PageParams,
    total: int,
) -> dict[str, Any]:
    """A page of a collection: counts, self/next/previous links, item links and the items."""
    total_pages = max(1, math.ceil(total / params.per_page))

    def page_link(page: int) -> dict[str, str]:
        return {
            "href": str(
                without_secrets(request.url).include_query_params(
                    page=page, per_page=params.per_page
                )
            )
        }

    links: dict[str, Any] = {"self": page_link(params.page)}
    if params.page < total_pages:
        links["next"] = page_link(params.page + 1)
    if params.page > 1:
        links["previous"] = page_link(min(params.page - 1, total_pages))
    links["curies"] = CURIES
    rels = [f"osdi:{rel}"] + ([f"osdi:{REL_ALIASES[rel]}"] if rel in REL_ALIASES else [])
    item_links = [item["_links"]["self"] for item in items]
    links.update(dict.fromkeys(rels, item_links))
    return {
        "total_pages": total_pages,
        "per_page": params.per_page,
        "page": params.page,
        "total_records": total,
        "_links": links,
        "_embedded": dict.fromkeys(rels, items),
    }


def notice(text: str) -> HalResponse:
    """The body of a successful DELETE (and of writes asked to return no resource)."""
    return HalResponse({"notice": text})


def validated(model: type[Any], data: dict[str, Any], *, prefix: str = "") -> Any:
    """`data` validated as `model`; problems become Invalid naming the first field at fault."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        field = f"{prefix}.{path}" if prefix and path else (prefix or path or "body")
        raise Invalid(f"{field}: {first['msg']}", field=field) from None


def error_body(status: int, description: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """An `osdi:error` body."""
    return {
        "osdi:error": {
            "request_type": "atomic",
            "response_code": status,
            "error_description": description,
            "resource_status": [{"response_code": status, "errors": errors}] if errors else [],
        }
    }


def _error_response(status: int, description: str, errors: list[dict[str, Any]]) -> HalResponse:
    return HalResponse(error_body(status, description, errors), status_code=status)


def _code(title: str) -> str:
    return title.upper().replace(" ", "_")


def _validation_field(location: Sequence[Any]) -> str:
    parts = list(
        location[1:] if location and location[0] in {"body", "query", "path"} else location
    )
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def to_osdi_error(exc: Exception) -> HalResponse | None:
    """The `osdi:error` response for an exception, or None when it is not one we answer."""
    if isinstance(exc, DomainError):
        error: dict[str, Any] = {"code": _code(exc.title), "description": exc.detail}
        if exc.field:
            error["properties"] = [exc.field]
        return _error_response(exc.status_code, exc.detail, [error])
    if isinstance(exc, RequestValidationError):
        errors: list[dict[str, Any]] = [
            {
                "code": "INVALID",
                "description": f"{_validation_field(item['loc'])}: {item['msg']}",
                "properties": [_validation_field(item["loc"])],
            }
            for item in exc.errors()
        ]
        description = "; ".join(item["description"] for item in errors)
        # OSDI clients know 400 for bad input; the native API's 422 has no meaning to them.
        return _error_response(400, description, errors)
    if isinstance(exc, IntegrityError):
        description = "the change conflicts with data stored at the same moment"
        return _error_response(409, description, [{"code": "CONFLICT"}])
    if isinstance(exc, StarletteHTTPException):
        return _error_response(exc.status_code, str(exc.detail), [])
    if is_data_error(exc):
        return _error_response(400, DATA_ERROR_DETAIL, [{"code": "INVALID"}])
    return None


def install_osdi_errors(app: FastAPI) -> None:
    """Answer errors on OSDI paths with `osdi:error` bodies; other paths keep their handlers.

    Errors reach these handlers after the request's unit of work has rolled back.
    """
    for exc_class in (
        DomainError,
        RequestValidationError,
        IntegrityError,
        DBAPIError,
        StarletteHTTPException,
        Exception,
    ):
        fallback = app.exception_handlers.get(exc_class)
        app.add_exception_handler(exc_class, _for_osdi_paths(fallback))


def _for_osdi_paths(fallback: Any) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(PREFIX):
            response = to_osdi_error(exc)
            if response is not None:
                return response
            logger.exception("unhandled error on %s %s", request.method, request.url.path)
            return _error_response(500, "Something went wrong; it has been logged.", [])
        if fallback is None:
            raise exc
        result: Response = await fallback(request, exc)
        return result

    return handle
