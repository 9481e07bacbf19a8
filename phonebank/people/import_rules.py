"""The rules of a people import, shared by the row-by-row and the set-based (SQL) engines.

Reading: a CSV file (UTF-8, with or without BOM, else Latin-1; `,` `;` or tab) whose first row
names the columns. Cells are stripped of whitespace (`str.strip`); a row whose cells are all
empty is not a row. Mapping: `column=field` overrides first, then the usual names of columns,
other columns become custom fields (`skip` drops one); when several columns fill one field, the
last non-empty cell wins. Checks, in order: the phone number (`kit.phones`, the organization's
default country), the email address (`normalize_email`), then that a row has one or the other.

Merging, in file order: a row belongs to the person its email address already belongs to
(stored, or given by an earlier row), else the one its phone number belongs to, else to a new
person. A number or address not yet known is added to the row's person; it is the primary one
when it is the first one a new person gets. A new person takes the last non-empty name of its
rows and their custom fields (later rows win); a stored person gets the names only.
"""

import csv
import io
import re
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from email_validator import validate_email

from phonebank.errors import Invalid

FIELDS = ("given_name", "family_name", "phone_number", "email_address")
# What people call these columns in the spreadsheets they export.
ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "given name", "first_name", "first name", "firstname", "first"),
    "family_name": (
        "family_name", "family name", "last_name", "last name", "lastname", "last", "surname",
    ),
    "phone_number": (
        "phone_number", "phone number", "phone", "mobile", "cell", "telephone", "tel", "number",
    ),
    "email_address": ("email_address", "email address", "email", "e-mail", "mail"),
}  # fmt: skip
# Plain addresses take this quick check (the same pattern runs in Python and in PostgreSQL);
# anything else gets the full validator's verdict.
SIMPLE_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_SIMPLE_EMAIL = re.compile(SIMPLE_EMAIL)
MAX_CUSTOM_FIELD_LENGTH = 1000
# Every character `str.strip()` removes, so SQL's btrim() strips exactly the same.
WHITESPACE = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
NEEDS_CONTACT = "a row needs a phone number or an email address"


@dataclass(frozen=True)
class RowError:
    """Why one row was not imported."""

    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    person_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class CsvSource:
    """A CSV file opened: its text, how it was encoded, its dialect, header and rows."""

    text: str
    encoding: str
    dialect: type[csv.Dialect] | csv.Dialect
    header: list[str]
    rows: Iterator[list[str]]


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """`column=field` pairs (as typed on a command line or sent in a form) as a mapping."""
    mapping = {}
    for index, pair in enumerate(pairs):
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise Invalid(
                f"write each mapping as column=field, not {pair!r}", field=f"map[{index}]"
            )
        mapping[column.strip()] = target.strip()
    return mapping


def map_columns(header: Sequence[str], overrides: Mapping[str, str]) -> dict[int, str]:
    """Which field each column fills: overrides (`column=field`) first, then known names.

    Other columns become custom fields named after them; `skip` drops a column.
    """
    by_alias = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    mapping: dict[int, str] = {}
    lowered = {column.strip().lower(): column for column in overrides}
    for index, column in enumerate(header):
        key = column.strip().lower()
        target = overrides.get(column) or (overrides.get(lowered[key]) if key in lowered else None)
        if target is None:
            target = by_alias.get(key) or by_alias.get(key.replace("-", "_"))
        if target is None:
            target = f"custom_fields.{column.strip()}" if column.strip() else "skip"
        if target != "skip" and target not in FIELDS and not target.startswith("custom_fields."):
            raise Invalid(f"cannot map column {column!r} to {target!r}", field="map")
        mapping[index] = target
    for column in overrides:
        if column not in header and column.strip().lower() not in {h.lower() for h in header}:
            raise Invalid(f"no column {column!r} in the file", field="map")
    return mapping


def open_csv(data: bytes) -> CsvSource:
    """The file decoded, its dialect sniffed and its header read."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:10_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise Invalid("the file is empty: the first row must name the columns", field="file")
    return CsvSource(text, encoding, dialect, header, reader)


def read_csv(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a CSV file (UTF-8, with or without BOM; `,` `;` or tab)."""
    source = open_csv(data)
    return source.header, source.rows


def is_simple_email(raw: str) -> bool:
    """Whether `raw` passes the quick check (then its normal form is just lower case)."""
    return _SIMPLE_EMAIL.fullmatch(raw) is not None


def normalize_email(raw: str) -> str:
    """The stored form of an email address (`EmailNotValidError` says why it is refused)."""
    if is_simple_email(raw):
        return raw.lower()
    return str(validate_email(raw, check_deliverability=False).normalized).lower()
