"""After a call: the results table, its CSV export (formulas escaped) and the live figures."""

import csv
import io

from tests.calling.conftest import Desk


async def _one_result(desk: Desk, note: str) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    await desk.client.post(f"/api/v1/caller/sessions/{session_id}/hangup", headers=csrf)
    await desk.run(0)
    body = {
        "disposition": "completed",
        "answers": [
            {"question_id": str(desk.question("support").id), "responses": ["yes"]},
            {"question_id": str(desk.question("issues").id), "responses": ["housing", "schools"]},
        ],
        "notes": {"notes": note},
    }
    saved = await desk.client.post(
        f"/api/v1/caller/sessions/{session_id}/result", json=body, headers=csrf
    )
    assert saved.status_code == 201, saved.text


async def test_results_are_listed_and_exported_with_formulas_escaped(desk: Desk) -> None:
    await _one_result(desk, '=HYPERLINK("http://evil.example","click")')
    headers = desk.tenant.headers
    listed = await desk.client.get(f"/api/v1/campaigns/{desk.campaign.id}/results", headers=headers)
    [row] = listed.json()["items"]
    assert row["name"] == "Pat0 Lee" and row["caller"] == "Robin Caller"
    assert row["answers"] == {"support": "yes", "issues": "housing; schools"}

    exported = await desk.client.get(
        f"/api/v1/campaigns/{desk.campaign.id}/results.csv", headers=headers
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    [line] = list(csv.DictReader(io.StringIO(exported.text)))
    assert line["support"] == "yes" and line["phone_number"] == "+14155552000"
    assert line["note:notes"].startswith("'=HYPERLINK")
    assert line["attempts"] == "1"


async def test_live_figures_count_callers_dials_and_contacts(desk: Desk) -> None:
    csrf = await desk.login()
    session_id = await desk.join(csrf)
    await desk.connect(session_id)
    await desk.dialer.store.flush(campaign=desk.dialer.campaign, now=desk.clock.now())
    figures = (
        await desk.client.get(
            f"/api/v1/campaigns/{desk.campaign.id}/live", headers=desk.tenant.headers
        )
    ).json()
    assert figures["callers"]["connected"] == 1
    assert figures["calls_total"] == 5 and figures["calls_done"] == 0
    assert figures["calls_in_flight"] == 0  # the one dial was answered
    assert figures["abandon_target"] == 0.01
