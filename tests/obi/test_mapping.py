"""The outcome table: every recorded outcome has one OBI reading, and calls read as documented."""

from pathlib import Path

import pytest

from phonebank.calls.models import ATTEMPT_OUTCOMES, CALL_STATUSES
from phonebank.obi.mapping import COUNTERS, OUTCOMES, attempt_row, call_result, disposition_kind


def test_every_attempt_outcome_and_call_status_has_a_row() -> None:
    for outcome in ATTEMPT_OUTCOMES:
        assert attempt_row(outcome, None).source == "attempt"
    for kind in ("refusal", "skip", "other"):
        assert attempt_row("human", {"refusal": "Refused", "skip": "skip",
                                     "other": "Sale"}[kind]).saved == kind  # fmt: skip
    statuses = {row.value for row in OUTCOMES if row.source == "call"}
    assert set(CALL_STATUSES) <= statuses
    for row in OUTCOMES:
        assert set(row.counts_in) <= set(COUNTERS)


def test_the_docs_page_shows_every_call_result() -> None:
    page = (Path(__file__).parents[2] / "docs" / "obi.md").read_text()
    for row in OUTCOMES:
        assert f"`{row.obi}`" in page, row


@pytest.mark.parametrize(
    ("status", "dialing", "outcome", "disposition", "expected"),
    [
        ("requested", False, None, None, ("NOT_HANDLED", None, None)),
        ("requested", True, None, None, ("DIALING", "DIALING", None)),
        ("requested", False, "busy", None, ("BUSY", "BUSY", None)),
        ("requested", False, "human", None, ("HANGUP", "HANGUP", None)),
        ("completed", False, "human", "Offer accepted", ("SUCCESS", "SUCCESS", "Offer accepted")),
        ("completed", False, "human", "Not interested", ("REFUSAL", "REFUSAL", "Not interested")),
        ("completed", False, None, "Refusal", ("REFUSAL", None, "Refusal")),
        ("completed", False, None, None, ("SUCCESS", None, None)),
        ("expired", False, "no_answer", None, ("MAXCALLS", "NOANSWER", None)),
        ("cancelled", False, None, None, ("FILTERED", None, None)),
        ("requested", False, "rejected", None,
         ("AGENT_REJECTED", "AGENT_REJECTED", "AGENT_REJECTED")),
    ],
)  # fmt: skip
def test_call_results(
    status: str,
    dialing: bool,
    outcome: str | None,
    disposition: str | None,
    expected: tuple[str, str | None, str | None],
) -> None:
    assert (
        call_result(status, dialing=dialing, last_outcome=outcome, last_disposition=disposition)
        == expected
    )


def test_disposition_kinds() -> None:
    assert disposition_kind(None) is None
    assert disposition_kind("  Do Not Call ") == "refusal"
    assert disposition_kind("SKIPPED") == "skip"
    assert disposition_kind("talked") == "other"
