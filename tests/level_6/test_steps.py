"""Level 6's steps as a learner runs them: from their own folder, through `buildai`, and in the tour.

The tour must show the tutor answering one question from the command line, with its sources; chat.py
must handle a conversation on standard input, the guardrails included, and unusable flags with one message.
"""

from __future__ import annotations

import importlib

from buildai.catalog import level_by_number


def test_the_tour_shows_the_tutor_answering_with_sources(run_cli) -> None:
    process = run_cli("tour", "--levels", "6", timeout=300)
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert "Step 6.1" in out and "Step 6.2" in out and "Tour complete" in out
    assert "You: Who was U Tirot Sing?" in out and "Here is what the notes say" in out and "Sources" in out
    assert "Traceback" not in out + process.stderr and "\x1b" not in out  # plain when piped


def test_every_level_6_step_exists_and_its_tour_flags_parse() -> None:
    level = level_by_number(6)
    assert [step.id for step in level.steps] == ["6.1", "6.2", "6.3"]
    for step in level.steps:
        assert step.is_ready(level), step.script
        module = importlib.import_module(f"{level.folder}.{step.script.removesuffix('.py')}")
        if step.tour_args is not None:
            module.build_parser().parse_args([*step.tour_args, "--seed", "1"])  # no SystemExit
    assert {step.id: step.tour_args for step in level.steps}["6.3"] is None  # a server never ends: not in the tour


def test_chat_answers_a_conversation_on_standard_input(run_script) -> None:
    process = run_script("level_6_rag_tutor/chat.py", "--model", "none",
                         stdin="Why is the sky blue?\nmera number 98765 43210 hai\nI want to kill myself\nquit\n")
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert "Here is what the notes say" in out and "14416" in out and "98765" not in out.split("You:", 2)[-1]
    assert "Traceback" not in out + process.stderr


def test_build_index_runs_from_its_folder_and_bad_flags_are_one_message(run_script) -> None:
    built = run_script("level_6_rag_tutor/build_index.py", "--quiet")
    assert built.returncode == 0, built.stderr
    wrong = run_script("level_6_rag_tutor/chat.py", "--retrieval", "magic")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr and "Traceback" not in wrong.stderr
    missing = run_script("level_6_rag_tutor/chat.py", "--notes", "no-such-folder", "--ask", "hi")
    assert missing.returncode != 0 and "Traceback" not in missing.stdout + missing.stderr
