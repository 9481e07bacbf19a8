"""The results CSV: no cell a spreadsheet would run as a formula, the header row included."""

import csv
import io
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.export import escape_cell, results_csv


async def test_question_names_in_the_header_are_escaped(session: AsyncSession) -> None:
    questions = ['=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)", "support"]
    text = "".join(
        [chunk async for chunk in results_csv(session, uuid.uuid4(), questions, ["-2+3"])]
    )
    header = next(csv.reader(io.StringIO(text)))
    assert header[10:] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1+1",
        "'@SUM(A1)",
        "support",
        "note:notes",
        "note:-2+3",
    ]


def test_numbers_stay_numbers() -> None:
    assert escape_cell("+14155552671") == "+14155552671" and escape_cell("-3") == "-3"
    assert escape_cell("=1+1") == "'=1+1"
