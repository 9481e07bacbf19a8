"""OBI's query conventions: `field=value` searches with `*` and `?`, ids in id32 or id36 form,
and `<date>` / `<date>End` ranges."""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from phonebank.errors import DomainError, Invalid
from phonebank.kit.wildcards import check_pattern, matches
from phonebank.obi.ids import is_id, parse_time

# Phonebank field names (in errors) and the OBI names clients know them by.
FIELD_NAMES = {
    "name": "name",
    "description": "remarks",
    "dialing_mode": "dialingMode",
    "caller_group_id": "queueId",
    "caller_id": "customIvrNumber",
    "start_time": "startDate",
    "end_time": "endDate",
    "time_zone": "timeZone",
    "abandon_rate_target": "abandonRate",
    "increase_predictive_ratio": "increasePredictiveRatio",
    "external_id": "externalId",
    "numbers": "numbers",
    "preferred_caller_id": "agentId",
    "next_call_at": "date",
    "preview_seconds": "previewTime",
    "status": "status",
}


@contextmanager
def obi_field_names() -> Iterator[None]:
    """Report fields in errors by their OBI names (`queueId`, not `caller_group_id`)."""
    try:
        yield
    except DomainError as error:
        if error.field:
            head = error.field.split("[")[0].split(".")[0]
            error.field = FIELD_NAMES.get(head, head)
        raise


def invalid_body(error: ValidationError) -> Invalid:
    """A body that does not fit OBI's shape, as one Invalid naming its first bad field."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    return Invalid(f"Invalid {field}: {first['msg']}", field=field)


def check_params(query: Mapping[str, str], known: Iterable[str]) -> None:
    """Refuse parameters OBI does not define for this resource."""
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise Invalid(f"Invalid search field: {unknown[0]}", field=unknown[0])


def patterns(
    query: Mapping[str, str], searchable: Iterable[str], id_fields: Iterable[str] = ()
) -> dict[str, str]:
    """The field searches of a query; id fields take exact ids, never patterns."""
    ids = set(id_fields)
    found = {name: query[name] for name in searchable if name in query}
    for name, value in found.items():
        check_pattern(value, field=name)
        # An id field takes one id, or several separated by commas.
        if name in ids and not all(is_id(part.strip()) for part in value.split(",")):
            raise Invalid(
                f"Invalid {name}: {value} : ids are searched in id32 or id36 format, "
                "without patterns",
                field=name,
            )
    return found


def id_matches(pattern: str, value: Any) -> bool:
    """An id field compared in either form (id36 searches find id32 values), to any of the
    comma-separated ids searched."""
    wanted = {part.strip().replace("-", "").upper() for part in pattern.split(",")}
    return value is not None and str(value).upper() in wanted


def keep(
    item: Mapping[str, Any], searches: Mapping[str, str], id_fields: Iterable[str] = ()
) -> bool:
    """Whether an OBI object matches every search of the query."""
    ids = set(id_fields)
    return all(
        id_matches(pattern, item.get(name)) if name in ids else matches(pattern, item.get(name))
        for name, pattern in searches.items()
    )


def time_range(query: Mapping[str, str], name: str) -> tuple[datetime | None, datetime | None]:
    """`name` (after) and `nameEnd` (before) of a query, as UTC times."""
    after = parse_time(query[name], field=name) if name in query else None
    end_name = f"{name}End"
    before = parse_time(query[end_name], field=end_name) if end_name in query else None
    return after, before


def in_range(value: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    """Whether `value` is after the first bound and before the second (absent bounds: yes)."""
    after, before = bounds
    if after is None and before is None:
        return True
    if value is None:
        return False
    return (after is None or value > after) and (before is None or value < before)


def flag(query: Mapping[str, str], name: str) -> bool:
    """A boolean query parameter (`true` / `false`; absent is false)."""
    value = query.get(name, "false").strip().lower()
    if value not in {"true", "false"}:
        raise Invalid(f"Invalid {name}: {value} : use true or false", field=name)
    return value == "true"


def number(query: Mapping[str, str], name: str, default: int, *, maximum: int) -> int:
    """A non-negative integer query parameter."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"Invalid {name}: {raw} : not a number", field=name) from None
    if not 0 <= value <= maximum:
        raise Invalid(f"Invalid {name}: {raw} : between 0 and {maximum}", field=name)
    return value
