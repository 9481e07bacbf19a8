"""Limits every request meets before it is parsed or authenticated: body size by kind of
request, and how deep a JSON body may nest.

A body over its kind's limit is a 413 problem naming the limit: at once when `Content-Length`
announces it, else as soon as the bytes read pass it (nothing past the limit is kept).
"""

import re
from dataclasses import dataclass

import numpy as np
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phonebank.kit.problems import problem

# Deeper JSON than this is refused (400): parsers and validators recurse once per level.
MAX_JSON_DEPTH = 64
_OBI_BULK = re.compile(r"^/obi/campaigns/[^/]+/customers/list/?$")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


@dataclass(frozen=True)
class BodyLimits:
    """The largest body, in bytes, of each kind of request."""

    json: int
    upload: int
    obi_bulk: int

    def for_request(self, scope: Scope) -> tuple[str, int]:
        """The kind of `scope`'s request and its limit."""
        if _OBI_BULK.match(scope.get("path", "")):
            return "obi_bulk", self.obi_bulk
        content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
        if content_type in {"multipart/form-data", "text/csv"}:
            return "upload", self.upload
        return "json", self.json


class BodyTooLarge(HTTPException):
    """A body past its kind's limit (raised while the route reads it)."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(413, too_large_detail(kind, limit))


def too_large_detail(kind: str, limit: int) -> str:
    """The problem's detail: which limit, and how large."""
    setting = f"PHONEBANK_MAX_{kind.upper()}_BODY_BYTES"
    return f"the body is larger than the {kind} limit of {limit} bytes ({setting})"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings aside)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return body.count(b"[") + body.count(b"{")  # an upper bound, and small: no need to look
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max()) if steps.size else 0


class BodyLimitMiddleware:
    """Refuse oversized bodies before any route (or authentication) sees them, and JSON
    nested deeper than `MAX_JSON_DEPTH`."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, limit = self.limits.for_request(scope)
        announced = _header(scope, b"content-length")
        if announced.isdigit() and int(announced) > limit:
            detail = too_large_detail(kind, limit)
            await problem(413, "Content Too Large", detail, limit=limit)(scope, receive, send)
            return
        if "json" in _header(scope, b"content-type").lower():
            await self._json(scope, receive, send, kind, limit)
            return
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLarge(kind, limit)
            return message

        await self.app(scope, counted, send)

    async def _json(
        self, scope: Scope, receive: Receive, send: Send, kind: str, limit: int
    ) -> None:
        """Read a JSON body whole (it is within the limit), check its depth, hand it on."""
        chunks: list[bytes] = []
        read = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left
            chunk = message.get("body", b"")
            read += len(chunk)
            if read > limit:
                detail = too_large_detail(kind, limit)
                await problem(413, "Content Too Large", detail, limit=limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        chunks.clear()
        if json_depth(body) > MAX_JSON_DEPTH:
            detail = f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels"
            await problem(400, "Bad Request", detail, field="body")(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
