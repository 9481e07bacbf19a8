"""Phonebank objects in OBI's shapes: campaigns, customers and statistics as plain data."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from phonebank.callers.models import CallerGroup
from phonebank.calls.models import Call, Result
from phonebank.calls.search import CallSummary
from phonebank.calls.statistics import CallTotals, GroupFigures
from phonebank.campaigns.models import Campaign
from phonebank.obi.ids import all_callers_queue, id32, maybe_id32, timestamp
from phonebank.obi.mapping import (
    CAMPAIGN_STATUS,
    COUNTERS,
    CUSTOMER_DIALING_MODES,
    DIALER_STATUS,
    DIALING_MODES,
    TIMES,
    attempt_row,
    call_result,
)
from phonebank.organizations.models import Organization
from phonebank.scripts.models import Script

DIALER_TYPE = "CampaignDialer"
# OBI's date of a customer who will not be called again.
NEVER = "9999-12-31T23:59:59Z"


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def dialer_name(organization: Organization) -> str:
    """The organization's one dialer, by name."""
    return f"{organization.name} dialer"


ALL_CALLERS_QUEUE_NAME = "All callers"


def campaign(
    item: Campaign,
    *,
    organization: Organization,
    group: CallerGroup | None,
    totals: CallTotals,
    logged_on: int,
) -> dict[str, Any]:
    """A campaign with its dialer, queue and totals (statistics are added when asked)."""
    handled = totals.completed
    return _present(
        {
            "id": id32(item.id),
            "name": item.name,
            "remarks": item.description,
            "dialerId": id32(organization.id),
            "dialer": id32(organization.id),
            "dialerName": dialer_name(organization),
            "dialerType": DIALER_TYPE,
            "dialingMode": DIALING_MODES[item.dialing_mode],
            "status": CAMPAIGN_STATUS[item.status],
            "dialerStatus": DIALER_STATUS[item.status],
            "queueId": id32(item.caller_group_id or all_callers_queue(organization.id)),
            "queueName": group.name if group is not None else ALL_CALLERS_QUEUE_NAME,
            "customIvrNumber": item.caller_id,
            "total": totals.total,
            "handled": handled,
            "notHandled": totals.total - handled,
            "callable": totals.callable_now,
            "maxCalls": totals.expired,
            "filtered": totals.cancelled,
            "startDate": timestamp(item.start_time),
            "endDate": timestamp(item.end_time),
            "registered": timestamp(item.created_at),
            "timeZone": item.time_zone,
            "loggedOn": logged_on,
            "abandonRate": item.abandon_rate_target,
            "increasePredictiveRatio": item.increase_predictive_ratio,
        }
    )


@dataclass
class Figures:
    """The statistics of one group (campaign, caller, window), summed from their parts."""

    parts: list[GroupFigures] = field(default_factory=list)

    def counters(self) -> dict[str, Any]:
        """Every numberOf* counter, the amount and the time fields, in OBI's order."""
        values: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
        amount = 0.0
        for part in self.parts:
            attempts, ledger = part.attempts, part.ledger
            values["numberOfHandledCustomers"] += attempts.handled_customers
            values["numberOfCalls"] += attempts.calls
            values["numberOfAmountCalls"] += attempts.amount_calls
            values["numberOfOperLogoutCalls"] += ledger.logouts_with_contact
            amount += attempts.amount
            for (outcome, disposition), count in attempts.outcomes.items():
                for counter in attempt_row(outcome, disposition).counts_in:
                    values[counter] += count
        values["amount"] = amount
        values["loginTime"] = sum(part.ledger.logged_in_seconds for part in self.parts)
        for name, state in TIMES.items():
            values[name] = float(sum(part.ledger.seconds[state] for part in self.parts))
        return values

    @property
    def customers(self) -> int:
        """Distinct customers dialed (summed over the parts)."""
        return sum(part.attempts.customers for part in self.parts)


def campaign_stats(figures: Figures, *, customers: int, agents: int) -> dict[str, Any]:
    """Total or daily statistics of a campaign."""
    return {**figures.counters(), "numberOfCustomers": customers, "numberOfAgents": agents}


def agent_stats(
    figures: Figures, *, item: Campaign, agent_id: str | None, agent_name: str | None
) -> dict[str, Any]:
    """Statistics of one campaign and agent (None: customers the dialer handled alone)."""
    return {
        **figures.counters(),
        "numberOfCustomers": figures.customers,
        "campaignId": id32(item.id),
        "campaignName": item.name,
        "agentId": agent_id,
        "agentName": agent_name,
    }


def _attributes(attributes: dict[str, Any], numbers: list[str]) -> dict[str, Any]:
    # By name: PostgreSQL's JSONB keeps no key order, and the answer must not depend on it.
    pairs = [{"name": str(name), "value": str(value)} for name, value in sorted(attributes.items())]
    for position, number in enumerate(numbers[:3], start=1):
        if f"Phone{position}" not in attributes:
            pairs.append({"name": f"Phone{position}", "value": number})
    return {"attribute": pairs}


def standing(summary: CallSummary) -> dict[str, Any]:
    """The fields of a customer that come from where its call stands (results, numbers,
    attributes), as `customer` shows them."""
    result, call_result_, classifier = call_result(
        summary.status,
        dialing=summary.dialing,
        last_outcome=summary.last_outcome,
        last_disposition=summary.last_disposition,
    )
    last_number = (
        summary.numbers.index(summary.last_number)
        if summary.last_number in summary.numbers
        else summary.next_number_index
    )
    return {
        "attributes": _attributes(summary.attributes, summary.numbers),
        "result": result,
        "callResult": call_result_,
        "classifier": classifier,
        "lastBNumber": last_number,
        "numbers": ";".join(summary.numbers),
    }


def _script(script: Script, result: Result | None) -> dict[str, Any] | None:
    if result is None:
        return None
    questions = {question.id: question for question in script.questions}
    answers = []
    for answer in result.answers:
        question = questions.get(answer.question_id)
        if question is None:
            continue
        # Choice answers keep response keys: show their names, as the caller saw them.
        names = {r.key: r.name for r in question.responses}
        chosen = "; ".join(names.get(str(key), str(key)) for key in answer.responses)
        text = answer.value if answer.value is not None else chosen
        answers.append({"answer": text, "question": question.title or question.name})
    return {"answers": answers, "name": script.name}


def customer(call: Call, *, result: Result | None, script: Script | None = None) -> dict[str, Any]:
    """A call as an OBI customer (with its script answers when `script` is given)."""
    last = call.attempts[-1] if call.attempts else None
    derived = standing(
        CallSummary(
            id=call.id,
            status=call.status,
            dialing=call.dialing_since is not None,
            last_outcome=last.outcome if last is not None else None,
            last_disposition=result.disposition if result is not None else None,
            last_number=last.number if last is not None else None,
            numbers=list(call.numbers),
            next_number_index=call.next_number_index,
            attributes=call.attributes,
        )
    )
    return _present(
        {
            "attributes": derived["attributes"],
            "script": _script(script, result) if script is not None else None,
            "result": derived["result"],
            "callResult": derived["callResult"],
            "classifier": derived["classifier"],
            "date": timestamp(call.next_call_at) if call.status == "requested" else NEVER,
            "agentId": maybe_id32(call.preferred_caller_id),
            "dialingMode": CUSTOMER_DIALING_MODES.get(call.dialing_mode or ""),
            "previewTime": call.preview_seconds,
            "priority": call.priority,
            "lastBNumber": derived["lastBNumber"],
            "callCount": call.attempts_count,
            "modificationDate": timestamp(call.modified_at),
            # A number whose prefix spans zones keeps them all; OBI shows one.
            "timeZone": call.time_zone.split("|")[0] if call.time_zone else None,
            "externalId": call.external_id or id32(call.id),
            "numbers": derived["numbers"],
            "id": id32(call.id),
        }
    )


def result_groups(groups: Iterable[tuple[tuple[str, str | None, str | None], int]]) -> list[Any]:
    """customerResultStatistics items, sorted by result."""
    return [
        _present({"result": result, "callResult": call_res, "classifier": classifier, "count": n})
        for (result, call_res, classifier), n in sorted(
            groups, key=lambda item: tuple(part or "" for part in item[0])
        )
    ]
