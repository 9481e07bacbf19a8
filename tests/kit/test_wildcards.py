"""`*` / `?` patterns, in Python and as SQL LIKE."""

from phonebank.kit.phones import country_for_zone
from phonebank.kit.wildcards import has_wildcards, matches, to_like


def test_patterns_match_whole_values_without_case() -> None:
    assert matches("Test*", "test campaign")
    assert matches("T?st", "Test") and not matches("T?st", "Teest")
    assert not matches("Test", "Test campaign")
    assert matches("a.b", "a.b") and not matches("a.b", "axb")  # no regular expression leaks
    assert matches("1*", 10) and not matches("*", None)
    assert has_wildcards("a*") and not has_wildcards("abc")


def test_like_escapes_its_own_wildcards() -> None:
    assert to_like("50%_off*") == "50\\%\\_off%"
    assert to_like("a?b") == "a_b"


def test_zone_countries() -> None:
    assert country_for_zone("Europe/Helsinki") == "FI"
    assert country_for_zone("America/Chicago") == "US"
    assert country_for_zone("UTC") is None and country_for_zone(None) is None
