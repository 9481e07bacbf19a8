"""How Phonebank's words read in OBI: the outcome table, statuses and dialing modes.

`OUTCOMES` is the one table between Phonebank's record (a call's status, an attempt's outcome,
the disposition a caller saved) and OBI's `result`, `callResult`, `classifier` and the
`numberOf*` counters. docs/obi.md shows the same table.
"""

from dataclasses import dataclass

# Dispositions a caller saves that OBI reads as a refusal or a skip; any other is a success.
REFUSAL_DISPOSITIONS = frozenset(
    {"refusal", "refused", "not interested", "not_interested", "declined", "do not call",
     "do_not_call"}
)  # fmt: skip
SKIP_DISPOSITIONS = frozenset({"skip", "skipped"})


@dataclass(frozen=True)
class Row:
    """One line of the table: what Phonebank recorded, and how OBI shows and counts it."""

    source: str  # "attempt" (an attempt's outcome) or "call" (a call's status)
    value: str | None  # the outcome or status; None: the attempt is still in flight
    saved: str | None  # for a reached contact: "refusal", "skip", "other", or None (no result)
    obi: str  # callResult of an attempt, result of a call
    classifier: str | None = None  # shown when the caller saved no disposition of their own
    counts_in: tuple[str, ...] = ()  # the statistics counters the attempt adds to


OUTCOMES: tuple[Row, ...] = (
    Row("attempt", "human", "other", "SUCCESS", counts_in=("numberOfSuccessfulCalls",)),
    Row("attempt", "human", "refusal", "REFUSAL",
        counts_in=("numberOfSuccessfulCalls", "numberOfRefusalCalls")),
    Row("attempt", "human", "skip", "SKIP", counts_in=("numberOfSkipCalls",)),
    Row("attempt", "human", None, "HANGUP", counts_in=("numberOfHangupCalls",)),
    Row("attempt", "machine", None, "ANSWERING_MACHINE"),
    Row("attempt", "busy", None, "BUSY"),
    Row("attempt", "no_answer", None, "NOANSWER"),
    Row("attempt", "failed", None, "FAILED", counts_in=("numberOfNotDialedCalls",)),
    Row("attempt", "abandoned", None, "ABANDONED", counts_in=("numberOfAbandonedCalls",)),
    Row("attempt", "rejected", None, "AGENT_REJECTED", "AGENT_REJECTED",
        counts_in=("numberOfRejectCalls",)),
    Row("attempt", "not_dialed", None, "NOT_DIALED", counts_in=("numberOfNotDialedCalls",)),
    Row("attempt", "skipped", None, "SKIP", counts_in=("numberOfSkipCalls",)),
    Row("attempt", "cancelled", None, "CANCELLED"),
    Row("attempt", None, None, "DIALING"),
    # A call's result: a completed call shows its saved disposition's callResult instead.
    Row("call", "completed", None, "SUCCESS"),
    Row("call", "expired", None, "MAXCALLS"),
    Row("call", "cancelled", None, "FILTERED"),
    Row("call", "dialing", None, "DIALING"),
    Row("call", "requested", None, "NOT_HANDLED"),
)  # fmt: skip

_ATTEMPTS = {(row.value, row.saved): row for row in OUTCOMES if row.source == "attempt"}
_CALLS = {row.value: row for row in OUTCOMES if row.source == "call"}

# Every counter of the statistics, in OBI's order; those not in the table are computed apart.
COUNTERS = (
    "numberOfHandledCustomers", "numberOfCalls", "numberOfSuccessfulCalls",
    "numberOfRefusalCalls", "numberOfAmountCalls", "numberOfSkipCalls", "numberOfRejectCalls",
    "numberOfOperLogoutCalls", "numberOfNotDialedCalls", "numberOfHangupCalls",
    "numberOfAbandonedCalls",
)  # fmt: skip
# OBI time fields and the caller states whose time they sum (loginTime: every state).
TIMES = {
    "pauseTime": "paused",
    "waitTime": "available",
    "previewTime": "previewing",
    "callTime": "dialing",
    "talkingTime": "connected",
    "wrapTime": "wrap_up",
}

CAMPAIGN_STATUS = {
    "draft": "Passive",
    "scheduled": "Passive",
    "started": "Active",
    "paused": "Passive",
    "stopped": "Handled",
}
DIALER_STATUS = {
    "draft": "PASSIVE",
    "scheduled": "PASSIVE",
    "started": "OPEN",
    "paused": "PASSIVE",
    "stopped": "CLOSED",
}
DIALING_MODES = {"preview": "PREVIEW", "power": "PROGRESSIVE", "predictive": "PREDICTIVE"}
FROM_DIALING_MODES = {obi: ours for ours, obi in DIALING_MODES.items()}
CUSTOMER_DIALING_MODES = {"preview": "PREVIEW", "predictive": "PREDICTIVE"}


def disposition_kind(disposition: str | None) -> str | None:
    """How OBI reads a saved disposition: refusal, skip, other; None when none was saved."""
    if disposition is None:
        return None
    word = disposition.strip().lower()
    if word in REFUSAL_DISPOSITIONS:
        return "refusal"
    return "skip" if word in SKIP_DISPOSITIONS else "other"


def attempt_row(outcome: str | None, disposition: str | None) -> Row:
    """The table's line for an attempt with `outcome` and the disposition saved for it."""
    saved = disposition_kind(disposition) if outcome == "human" else None
    return _ATTEMPTS[(outcome, saved)]


def call_result(
    status: str, *, dialing: bool, last_outcome: str | None, last_disposition: str | None
) -> tuple[str, str | None, str | None]:
    """(result, callResult, classifier) of a call from its status and its latest attempt."""
    attempted = last_outcome is not None or (dialing and status == "requested")
    attempt = attempt_row(last_outcome, last_disposition) if attempted else None
    if status == "completed":
        # A result saved through the API may have no attempt: it still reads as its disposition.
        kind = disposition_kind(last_disposition) or "other"
        result = _ATTEMPTS[("human", kind)].obi
    elif status == "requested" and dialing:
        result = _CALLS["dialing"].obi
    elif status == "requested" and attempt is not None:
        result = attempt.obi
    else:
        result = _CALLS[status].obi
    if attempt is None:
        return result, None, last_disposition
    classifier = last_disposition if last_disposition is not None else attempt.classifier
    return result, attempt.obi, classifier
