"""Wildcard searches take time linear in the value, and long patterns are refused."""

import subprocess
import sys

from phonebank.kit.wildcards import MAX_PATTERN_LENGTH, matches
from tests.obi.conftest import Obi


def test_many_stars_against_a_long_value_answer_at_once() -> None:
    """`*a*a*...*b` backtracked for minutes on a 200-character value; it must answer."""
    program = (
        "from phonebank.kit.wildcards import matches;"
        "print(matches('*a' * 12 + '*b', 'a' * 200), matches('*a' * 12 + '*', 'a' * 200))"
    )
    # A bound in minutes the backtracking matcher never meets: this checks that it answers.
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_the_linear_matcher_keeps_the_meaning_of_patterns() -> None:
    cases = [
        ("*", "", True), ("*", "anything", True), ("?", "", False), ("?", "x", True),
        ("a*b*c", "abc", True), ("a*b*c", "aXbYc", True), ("a*b*c", "acb", False),
        ("*ab*ab*", "abab", True), ("*ab*ab*", "aba", False), ("a?c*", "ABCdef", True),
        ("*?b", "b", False), ("*?b", "ab", True), ("*a?a*", "xaxa", True),
        ("te*st", "test", True), ("te*st", "tst", False), ("**x**", "x", True),
    ]  # fmt: skip
    for pattern, value, expected in cases:
        assert matches(pattern, value) is expected, (pattern, value)


async def test_obi_refuses_a_pattern_past_the_bound(obi: Obi) -> None:
    too_long = "*a" * (MAX_PATTERN_LENGTH // 2) + "*"
    response = await obi.get("/campaigns", name=too_long)
    assert response.status_code == 400, response.text
    assert "name" in response.text
    fine = await obi.get("/campaigns", name="*a*a*a*a*a*a*a*b")
    assert fine.status_code == 200


async def test_call_searches_refuse_a_pattern_past_the_bound(obi: Obi) -> None:
    too_long = "?" * (MAX_PATTERN_LENGTH + 1)
    response = await obi.get(f"/campaigns/{obi.campaign_id}/customers", externalId=too_long)
    assert response.status_code == 400, response.text
