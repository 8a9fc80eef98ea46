"""The mechanism that keeps lesson numbers measured: it must catch a stale number, rewrite it, and
report a sentence that is no longer in the lesson -- a check that cannot fail would prove nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildai.errors import UserError
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Recorded

LESSON = """# A lesson

The stories have 145,697 characters and
72 different ones; the best n-gram scores 2.540 bits (18% unseen).

A picture:
```
old picture
```
"""


def make_numbers(folder: Path, values: dict[str, float], recorded: list[Recorded] | None = None) -> LessonNumbers:
    (folder / "lesson.md").write_text(LESSON, encoding="utf-8")
    quotes = [
        Quote("lesson.md", "The stories have {characters:,} characters and {vocabulary} different ones"),
        Quote("lesson.md", "scores {bits:.3f} bits ({unseen:.0%} unseen)", tolerance=0.002),
        Block("lesson.md", "A picture:", lambda measured: f"{measured['vocabulary']} blocks"),
    ]
    return LessonNumbers(folder, quotes, lambda: dict(values), recorded or [])


def test_right_numbers_pass_and_wrong_ones_are_named(tmp_path: Path) -> None:
    right = {"characters": 145697, "vocabulary": 72, "bits": 2.5409, "unseen": 0.18}
    numbers = make_numbers(tmp_path, right)
    problems = numbers.problems(numbers.values())
    assert [problem.name for problem in problems] == ["the block after 'A picture:'"]
    numbers.update(numbers.values())
    assert "72 blocks" in (tmp_path / "lesson.md").read_text(encoding="utf-8")
    assert numbers.problems(numbers.values()) == []

    stale = make_numbers(tmp_path, {**right, "characters": 145698, "bits": 2.545})
    described = [problem.describe() for problem in stale.problems(stale.values())]
    assert any("characters is quoted as 145,697 but measures 145,698" in line and "lesson.md:3" in line
               for line in described), described
    assert any("bits is quoted as 2.540 but measures 2.545" in line for line in described), described


def test_tolerance_lets_the_last_digit_wobble(tmp_path: Path) -> None:
    """2.540 is quoted; a measurement of 2.5415 (shown 2.542) is within 0.002, 2.545 is not."""
    close = make_numbers(tmp_path, {"characters": 145697, "vocabulary": 72, "bits": 2.5415, "unseen": 0.18})
    assert not [problem for problem in close.problems(close.values()) if problem.name == "bits"]
    far = make_numbers(tmp_path, {"characters": 145697, "vocabulary": 72, "bits": 2.545, "unseen": 0.18})
    assert [problem.name for problem in far.problems(far.values()) if problem.name == "bits"] == ["bits"]


def test_update_rewrites_and_a_missing_sentence_is_reported(tmp_path: Path) -> None:
    numbers = make_numbers(tmp_path, {"characters": 150000, "vocabulary": 73, "bits": 2.4, "unseen": 0.2})
    assert numbers.update(numbers.values()) == ["lesson.md"]
    text = (tmp_path / "lesson.md").read_text(encoding="utf-8")
    assert "150,000 characters and\n73 different ones" in text and "2.400 bits (20% unseen)" in text
    assert numbers.problems(numbers.values()) == []
    (tmp_path / "lesson.md").write_text(text.replace("different ones", "distinct ones"), encoding="utf-8")
    problems = numbers.problems(numbers.values())
    assert len(problems) == 1 and "not in the file any more" in problems[0].describe()


def test_a_recorded_run_made_with_other_settings_is_stale(tmp_path: Path) -> None:
    settings = {"preset": "tiny", "corpus_sha256": "abc"}
    run = Recorded("tiny", "python train.py --preset tiny", lambda: {"bits": 2.4}, lambda: settings)
    numbers = make_numbers(tmp_path, {"characters": 145697, "vocabulary": 72, "unseen": 0.18}, [run])
    with pytest.raises(UserError, match="Record it with"):
        numbers.values()  # never recorded
    assert numbers.values(rerun=["tiny"])["bits"] == 2.4
    assert numbers.values()["bits"] == 2.4  # read back from measured/tiny.json
    settings["corpus_sha256"] = "changed"
    with pytest.raises(UserError, match="other settings or another text"):
        numbers.values()


def test_buildai_lessons_checks_every_level(run_cli) -> None:
    process = run_cli("lessons", "--levels", "1")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "match their measurements" in process.stdout
