"""Secrets sent in query strings (`api_key`, `api_auth`, `osdi-api-token`, any token or key)
never reach a log line or a link we send back.

Clients that cannot set headers put their keys in the URL; the access log writes URLs whole,
and page links are built from the request's URL. `redact` masks such values in any text,
`RedactSecrets` applies it to every record a log handler formats, and `without_secrets`
drops them from a URL we hand back.
"""

import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL

MASK = "[redacted]"
# A parameter is secret when its name holds one of these words (api_key, api_auth,
# osdi-api-token, access_token, signature...), whatever its case or separators.
_SECRET_WORDS = ("key", "token", "auth", "secret", "password", "signature")
_NAME = r"[A-Za-z0-9_.\-%]*(?:" + "|".join(_SECRET_WORDS) + r")[A-Za-z0-9_.\-%]*"
_IN_TEXT = re.compile(rf"(?i)([?&;]{_NAME}=)[^&;#\s\"'<>]*")


def is_secret_parameter(name: str) -> bool:
    """Whether a query parameter of this name carries a credential."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact(text: str) -> str:
    """`text` with the values of secret query parameters masked."""
    if "=" not in text:
        return text
    return _IN_TEXT.sub(rf"\1{MASK}", text)


def without_secrets(url: URL) -> URL:
    """`url` without its secret query parameters (for links given back to a client)."""
    names = {name for name, _ in parse_qsl(url.query, keep_blank_values=True)}
    secret = [name for name in names if is_secret_parameter(name)]
    return url.remove_query_params(secret) if secret else url


def _redacted_argument(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    cleaned = redact(text)
    # Objects (URLs, exceptions) are formatted by str(); replace them only when they held one.
    return cleaned if cleaned != text else value


class RedactSecrets(logging.Filter):
    """A handler filter masking secret query parameters in every record it formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message and its arguments; never drop the record."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_argument(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted_argument(v) for key, v in record.args.items()}
        return True


def install_redaction() -> None:
    """Put `RedactSecrets` on every handler configured now (uvicorn's, the root's, the last
    resort), so no log line of this process carries a key from a URL."""
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(RedactSecrets())
