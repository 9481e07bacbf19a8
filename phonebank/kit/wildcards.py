"""Search patterns with `*` (any run of characters) and `?` (one character).

Matching is linear in the value for a pattern of bounded length (no backtracking regular
expression: `*a*a*a*b` against a long value must not take exponential time), and patterns
longer than `MAX_PATTERN_LENGTH` are refused.
"""

from phonebank.errors import Invalid

WILDCARDS = frozenset("*?")
LIKE_ESCAPE = "\\"
MAX_PATTERN_LENGTH = 200


def has_wildcards(value: str) -> bool:
    """Whether `value` holds a `*` or `?` pattern character."""
    return any(character in WILDCARDS for character in value)


def check_pattern(pattern: str, *, field: str) -> str:
    """`pattern`, or Invalid (400) naming `field` when it is longer than the bound."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise Invalid(
            f"Invalid {field}: a search pattern holds at most {MAX_PATTERN_LENGTH} characters",
            field=field,
        )
    return pattern


def to_like(pattern: str) -> str:
    """The SQL LIKE form of a `*`/`?` pattern, escaped with a backslash."""
    escaped = (
        pattern.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return escaped.replace("*", "%").replace("?", "_")


def _fits(piece: str, text: str, at: int) -> bool:
    """Whether `piece` (with `?`, no `*`) matches `text` starting at `at`."""
    if at < 0 or at + len(piece) > len(text):
        return False
    return all(p == "?" or p == text[at + i] for i, p in enumerate(piece))


def _find(piece: str, text: str, start: int, end: int) -> int:
    """The first place from `start` where `piece` fits wholly before `end`, or -1."""
    if "?" not in piece:
        return text.find(piece, start, end)
    for at in range(start, end - len(piece) + 1):
        if _fits(piece, text, at):
            return at
    return -1


def _glob(pattern: str, text: str) -> bool:
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return len(pattern) == len(text) and _fits(pattern, text, 0)
    first, *middle, last = pieces
    if len(first) + len(last) > len(text):
        return False
    if not (_fits(first, text, 0) and _fits(last, text, len(text) - len(last))):
        return False
    # Between the fixed ends, the leftmost place of each piece leaves the most room for the
    # rest: one pass, no backtracking.
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        if not piece:
            continue
        found = _find(piece, text, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def matches(pattern: str, value: object) -> bool:
    """Whether `value` (shown as text; None never matches) matches `pattern` in full,
    without regard to case."""
    if value is None:
        return False
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return _glob(pattern.lower(), text.lower())
