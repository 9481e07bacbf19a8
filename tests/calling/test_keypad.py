"""Keypad menus: the script's choice questions by digit, then the disposition."""

import uuid

import pytest

from phonebank.calling.keypad import keyed_form, prompts_for, read_entry, result_from_entries
from phonebank.errors import Invalid
from phonebank.scripts.models import Question, QuestionResponse, Script


def _script() -> Script:
    return Script(
        name="Survey",
        questions=[
            Question(
                id=uuid.uuid4(),
                name="support",
                title="Do you support the measure?",
                question_type="SingleChoice",
                required=True,
                responses=[
                    QuestionResponse(key="yes", name="Yes", position=0),
                    QuestionResponse(key="no", name="No", position=1),
                ],
            ),
            Question(
                id=uuid.uuid4(),
                name="issues",
                question_type="MultiChoice",
                responses=[
                    QuestionResponse(key="housing", name="Housing", position=0),
                    QuestionResponse(key="transit", name="Transit", position=1),
                    QuestionResponse(key="schools", name="Schools", position=2),
                ],
            ),
            Question(id=uuid.uuid4(), name="comment", question_type="Paragraph"),
            Question(
                id=uuid.uuid4(),
                name="too_many",
                question_type="SingleChoice",
                responses=[QuestionResponse(key=f"r{n}", name=f"R{n}") for n in range(10)],
            ),
        ],
    )


def test_choice_questions_are_menus_and_the_disposition_comes_last() -> None:
    prompts = prompts_for(_script())
    assert [prompt.name for prompt in prompts] == ["support", "issues", "disposition"]
    support, issues, disposition = prompts
    assert support.choices == {"1": "yes", "2": "no"}
    assert support.text.startswith("Do you support the measure? Press 1 for Yes, press 2 for No.")
    assert "To skip" not in support.text
    assert issues.multiple and "To skip, press pound." in issues.text
    assert disposition.choices["1"] == "completed"
    assert disposition.choices["6"] == "do_not_call"
    assert prompts_for(None) == [disposition]


def test_digits_become_the_result() -> None:
    script = _script()
    prompts = prompts_for(script)
    result = result_from_entries(prompts, ["1", "31#", "2"])
    assert result.disposition == "refused"
    assert [(a.question_id, a.responses) for a in result.answers] == [
        (script.questions[0].id, ["yes"]),
        (script.questions[1].id, ["schools", "housing"]),
    ]
    skipped = result_from_entries(prompts, ["2", "", "1"])
    assert [a.responses for a in skipped.answers] == [["no"]]


@pytest.mark.parametrize(
    ("entries", "field", "message"),
    [
        (["3", "", "1"], "digits[0]", "'3' is not a choice of 'support'"),
        (["12", "", "1"], "digits[0]", "'support' takes one digit"),
        (["1", "", ""], "digits[2]", "choose the result of the call"),
        (["1", "", "9"], "digits[2]", "'9' is not a choice of 'disposition'"),
        (["1", ""], "digits", "expected 3 entries, got 2"),
    ],
)
def test_wrong_digits_are_invalid(entries: list[str], field: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as error:
        result_from_entries(prompts_for(_script()), entries)
    assert error.value.field == field


def test_read_entry_ignores_the_pound_key() -> None:
    assert read_entry(prompts_for(_script())[0], "2#") == ["no"]


def test_access_codes_are_keyed_as_the_digits_their_letters_are_on() -> None:
    assert keyed_form("CAMPAIGN") == "22672446"
    assert keyed_form("ab-9z") == "2299"
