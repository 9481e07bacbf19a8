"""Search patterns with `*` (any run of characters) and `?` (one character)."""

import re
from functools import lru_cache

WILDCARDS = frozenset("*?")
LIKE_ESCAPE = "\\"


def has_wildcards(value: str) -> bool:
    """Whether `value` holds a `*` or `?` pattern character."""
    return any(character in WILDCARDS for character in value)


def to_like(pattern: str) -> str:
    """The SQL LIKE form of a `*`/`?` pattern, escaped with a backslash."""
    escaped = (
        pattern.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return escaped.replace("*", "%").replace("?", "_")


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regular expression matching the whole of a value against `pattern`."""
    parts = [
        ".*" if character == "*" else "." if character == "?" else re.escape(character)
        for character in pattern
    ]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(pattern: str, value: object) -> bool:
    """Whether `value` (shown as text; None never matches) matches `pattern` in full."""
    if value is None:
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return compile_pattern(pattern).fullmatch(text) is not None
