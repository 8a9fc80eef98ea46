"""Every number Level 6's lesson and solutions quote is what the code measures (or a recorded run recorded)."""

from __future__ import annotations

from level_6_rag_tutor.lesson_numbers import NUMBERS


def test_every_quoted_number_is_its_measurement() -> None:
    problems = NUMBERS.problems(NUMBERS.values())
    assert not problems, "\n".join(problem.describe() for problem in problems)
