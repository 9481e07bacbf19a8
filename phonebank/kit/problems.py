"""Errors as `application/problem+json` (RFC 9457) for the native API; no trace ever leaks."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from phonebank.errors import DomainError, Unavailable

logger = logging.getLogger("phonebank.errors")
PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _field_path(location: tuple[Any, ...]) -> str:
    # ("body", "phone_numbers", 0, "number") -> "phone_numbers[0].number"
    path = ""
    for part in location[1:] if location and location[0] in {"body", "query", "path"} else location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["field"] = exc.field
        extra["errors"] = [{"field": exc.field, "message": exc.detail}]
    response = problem(exc.status_code, exc.title, exc.detail, **extra)
    response.headers.update(exc.headers)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_path(tuple(error["loc"])), "message": error["msg"]}
        for error in exc.errors()
    ]
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    return problem(422, "Invalid request", detail, errors=errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this catches the race where two requests pass together.
    logger.info("integrity error on %s %s: %s", request.method, request.url.path, type(exc))
    return problem(409, "Conflict", "the change conflicts with data stored at the same moment")


def is_data_error(exc: Exception) -> bool:
    """Whether the database refused a value itself (SQLSTATE class 22: out of range, bad
    characters...): bad input that slipped past validation, not a fault of the server."""
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(code, str) and code.startswith("22")


DATA_ERROR_DETAIL = "a value in the request cannot be stored (out of range or invalid characters)"


def is_busy_error(exc: Exception) -> bool:
    """Whether SQLite gave up waiting for another write (its busy timeout passed)."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_busy_error(exc):
        logger.warning("database busy on %s %s", request.method, request.url.path)
        response = problem(503, "Service Unavailable", "the database is busy with a long write")
        response.headers["Retry-After"] = "10"
        return response
    if is_data_error(exc):
        logger.warning("data error on %s %s: %s", request.method, request.url.path, exc)
        return problem(400, "Bad Request", DATA_ERROR_DETAIL)
    return await _unexpected_error(request, exc)


async def _redis_error(request: Request, exc: Exception) -> JSONResponse:
    # Redis down or hung: a request that needs it says so, as the outage it is (not a 500).
    logger.warning("Redis unreachable on %s %s: %s", request.method, request.url.path, exc)
    return await _domain_error(request, redis_unavailable())


def redis_unavailable() -> Unavailable:
    """The 503 of a request that needs Redis while it does not answer."""
    return Unavailable(
        "the shared store (Redis) does not answer: try again in a moment",
        headers={"Retry-After": "5"},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal server error", "Something went wrong; it has been logged.")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_problem_handlers(app: FastAPI) -> None:
    """Map domain, validation, HTTP and unexpected errors to problem+json on `app`."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(RedisError, _redis_error)
    app.add_exception_handler(Exception, _unexpected_error)
