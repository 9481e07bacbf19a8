"""The OData-style filter language: parsing, precedence, errors with positions."""

import pytest

from phonebank.errors import Invalid
from phonebank.kit.filters import Comparison, Junction, parse_filter, parse_time, rename_fields


def test_and_binds_before_or_and_parentheses_group() -> None:
    tree = parse_filter("a eq 1 or b gt '2' and c le x")
    assert tree == Junction(
        "or",
        (
            Comparison("a", "eq", "1", 0),
            Junction("and", (Comparison("b", "gt", "2", 10), Comparison("c", "le", "x", 23))),
        ),
    )
    grouped = parse_filter("(a eq 1 or b eq 2) AND c eq 'it''s'")
    assert isinstance(grouped, Junction) and grouped.op == "and"
    assert grouped.parts[1] == Comparison("c", "eq", "it's", 23)


def test_renaming_keeps_positions() -> None:
    tree = rename_fields(parse_filter("modified_date ge '2024-01-01'"), {"modified_date": "m"})
    assert tree == Comparison("m", "ge", "2024-01-01", 0)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "empty"),
        ("a", "the end"),
        ("a eq", "the end"),
        ("a is 1", "position 2"),
        ("a eq 1 b eq 2", "position 7"),
        ("(a eq 1", "the end"),
        ("a eq 1 and", "the end"),
        ("a eq 'open", "position 5"),
    ],
)
def test_errors_say_where(text: str, where: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_filter(text)
    assert where in caught.value.detail and caught.value.field == "filter"


def test_times() -> None:
    assert parse_time("2024-01-02").isoformat() == "2024-01-02T00:00:00+00:00"
    assert parse_time("2024-01-02T03:04:05Z").isoformat() == "2024-01-02T03:04:05+00:00"
    assert parse_time("2024-01-02T05:04:05+02:00").hour == 3
    with pytest.raises(ValueError):
        parse_time("soon")
