"""Property tests of the parsers that read what clients send: nothing but a clear refusal.

Each parser is given arbitrary input; it either returns a value or raises `Invalid` (which the
faces turn into a 400 naming the field). Any other exception would be a 500.
"""

import fnmatch
import re
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phonebank.errors import Invalid
from phonebank.kit.filters import parse_filter
from phonebank.kit.phones import PhoneCache, parse_phone
from phonebank.kit.wildcards import matches, to_like
from phonebank.obi.wire import parse_xml
from phonebank.people.importing import _parse_row, map_columns, read_csv

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PHONE_TEXT = st.text(alphabet="0123456789+-() .x#abc", max_size=24)
NANP = st.from_regex(r"\+?1?[ (]?[2-9][0-9]{2}[) .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}", fullmatch=True)


@FAST
@given(st.one_of(PHONE_TEXT, st.text(max_size=30)))
def test_phone_parsing_returns_e164_or_refuses(raw: str) -> None:
    try:
        parsed = parse_phone(raw, default_country="US")
    except Invalid as error:
        assert error.field == "number"
        return
    assert re.fullmatch(r"\+[1-9][0-9]{6,14}", parsed.e164)
    assert parse_phone(parsed.e164, default_country="GB").e164 == parsed.e164


@FAST
@given(st.lists(NANP, min_size=1, max_size=20))
def test_the_import_cache_agrees_with_the_full_parse(numbers: list[str]) -> None:
    cache = PhoneCache("US")
    for raw in numbers:
        try:
            expected = parse_phone(raw, default_country="US")
        except Invalid:
            expected = None
        try:
            got = cache.parse(raw)
        except Invalid:
            got = None
        assert got == expected, raw


@FAST
@given(st.text(max_size=80))
def test_filters_parse_or_say_where_they_fail(text: str) -> None:
    try:
        parse_filter(text)
    except Invalid as error:
        assert error.field == "filter"


@FAST
@given(
    st.text(alphabet="ab*?%_\\", max_size=8),
    st.text(alphabet="ab%_\\", max_size=8),
)
def test_wildcards_match_like_shell_patterns_and_escape_sql(pattern: str, value: str) -> None:
    # `*` and `?` are the only pattern characters; SQL's own are matched literally, in Python
    # and in the database's LIKE alike.
    reference = fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))
    assert matches(pattern, value) == reference
    with sqlite3.connect(":memory:") as database:
        [(like,)] = database.execute(
            "SELECT ? LIKE ? ESCAPE '\\'", (value, to_like(pattern))
        ).fetchall()
    assert bool(like) == reference


@FAST
@given(st.binary(max_size=200))
def test_xml_bodies_parse_or_are_refused(body: bytes) -> None:
    try:
        parse_xml(body)
    except Invalid as error:
        assert error.field == "body"


@FAST
@given(
    st.lists(
        st.lists(st.text(alphabet='ab,;"\n@.+0123456789 ', max_size=12), min_size=1, max_size=5),
        min_size=1,
        max_size=6,
    )
)
def test_csv_rows_are_read_or_reported(rows: list[list[str]]) -> None:
    text = "\n".join(",".join(row) for row in [["name", "phone", "email"], *rows])
    try:
        header, cells = read_csv(text.encode())
        columns = map_columns(header, {})
    except Invalid:
        return
    phones = PhoneCache("US")
    for number, row in enumerate(cells, start=2):
        _parse_row(number, row, columns, phones)  # a row or a RowError, never an exception
