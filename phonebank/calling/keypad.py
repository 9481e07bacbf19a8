"""Keypad answers for phones-only callers: the script's choice questions as digit menus.

A possible response's digit is its place among its question's responses (ordered by
`position`): the first is 1, the ninth is 9. A question with more than nine responses, and a
Paragraph question, cannot be answered from a keypad and is not asked. After the questions
comes the disposition, by its place in `DISPOSITIONS` (1 completed, 2 refused, ...).

A caller enters one digit for a SingleChoice question, any digits for a MultiChoice one, and
nothing (just `#`) to skip an optional question.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from phonebank.calling.schemas import AnswerIn, ResultIn
from phonebank.calls.results import DISPOSITIONS
from phonebank.errors import Invalid
from phonebank.scripts.models import Question, Script

KEYPAD_DIGITS = "123456789"
# Letters on a telephone keypad: access codes have letters, and are keyed in as their digits.
KEYPAD_LETTERS = {
    letter: digit
    for digit, letters in {
        "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL",
        "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
    }.items()
    for letter in letters
}  # fmt: skip
DISPOSITION_WORDS = {
    "completed": "completed",
    "refused": "refused",
    "not_available": "not available",
    "wrong_number": "wrong number",
    "call_back": "call back later",
    "do_not_call": "do not call again",
    "voicemail": "left a voicemail",
}


@dataclass(frozen=True)
class Prompt:
    """One menu the caller answers with digits."""

    name: str
    text: str
    # Digit -> response key (or disposition).
    choices: dict[str, str]
    multiple: bool = False
    question_id: uuid.UUID | None = None


def keyed_form(code: str) -> str:
    """A code as keyed in on a telephone keypad (each letter as the digit it is on)."""
    return "".join(KEYPAD_LETTERS.get(ch, ch) for ch in code.upper() if ch.isalnum())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _question_prompt(question: Question) -> Prompt | None:
    if question.question_type == "Paragraph" or not question.responses:
        return None
    if len(question.responses) > len(KEYPAD_DIGITS):
        return None
    choices = {KEYPAD_DIGITS[i]: row.key for i, row in enumerate(question.responses)}
    spoken = ", ".join(
        f"press {KEYPAD_DIGITS[i]} for {row.name}" for i, row in enumerate(question.responses)
    )
    multiple = question.question_type == "MultiChoice"
    ending = "Press every digit that applies, then pound." if multiple else "Then press pound."
    skip = "" if question.required else " To skip, press pound."
    text = f"{_sentence(question.title or question.name)} P{spoken[1:]}. {ending}{skip}"
    return Prompt(question.name, text, choices, multiple, question.id)


def disposition_prompt() -> Prompt:
    """The last menu: how the call ended."""
    choices = {KEYPAD_DIGITS[i]: name for i, name in enumerate(DISPOSITIONS)}
    spoken = ", ".join(f"press {digit} for {DISPOSITION_WORDS[d]}" for digit, d in choices.items())
    return Prompt("disposition", f"The result of the call: {spoken}.", choices)


def prompts_for(script: Script | None) -> list[Prompt]:
    """The menus of a result: the script's keypad questions in order, then the disposition."""
    questions = script.questions if script is not None else []
    prompts = [prompt for q in questions if (prompt := _question_prompt(q)) is not None]
    return [*prompts, disposition_prompt()]


def read_entry(prompt: Prompt, digits: str, *, field: str = "digits") -> list[str]:
    """The response keys the digits choose (empty: skipped), or Invalid."""
    keys: list[str] = []
    for digit in digits.strip().rstrip("#"):
        key = prompt.choices.get(digit)
        if key is None:
            raise Invalid(f"{digit!r} is not a choice of {prompt.name!r}", field=field)
        if key not in keys:
            keys.append(key)
    if len(keys) > 1 and not prompt.multiple:
        raise Invalid(f"{prompt.name!r} takes one digit", field=field)
    if not keys and prompt.question_id is None:
        raise Invalid("choose the result of the call", field=field)
    return keys


def result_from_entries(
    prompts: Sequence[Prompt], entries: Sequence[str], *, then: str = "continue"
) -> ResultIn:
    """The result the caller keyed in: one entry of digits per prompt, in order."""
    if len(entries) != len(prompts):
        raise Invalid(f"expected {len(prompts)} entries, got {len(entries)}", field="digits")
    answers: list[AnswerIn] = []
    disposition = ""
    for index, (prompt, digits) in enumerate(zip(prompts, entries, strict=True)):
        keys = read_entry(prompt, digits, field=f"digits[{index}]")
        if prompt.question_id is None:
            disposition = keys[0]
        elif keys:
            answers.append(AnswerIn(question_id=prompt.question_id, responses=keys))
    return ResultIn.model_validate({"disposition": disposition, "answers": answers, "then": then})
