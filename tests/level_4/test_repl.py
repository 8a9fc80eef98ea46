"""chat.py (step 4.3), the conversation, driven through stdin in a subprocess: every command and its effect."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import assert_ok
from tests.level_4.generate_output import explain_rows, generated_text

PROMPT = "The crow"

SESSION = [
    "help",
    "temp 0", "len 25", PROMPT,  # 1: greedy, seed 42
    "seed 99", PROMPT,  # 2: greedy again with another seed: must be the same text
    "temp 1.2", "topk 1", "seed 5", PROMPT,  # 3: top-k 1 is greedy too, whatever the temperature and seed
    "topk 0", "topp 0.5", "explain", "The crow ☔",  # 4: unknown character, explain table, top-p shortlists
    "explain", "topp 1", "seed 7", PROMPT,  # 5: temperature 1.2, seed 7
    "seed 7", PROMPT,  # 6: the same seed again: the same text as 5
    "seed 8", PROMPT,  # 7: another seed: another text
    "compare",
    "temp hot", "topk -1", "topp 2", "len 0", "seed x", "len", "settings", "",
    "seed of a mango tree",  # a prompt, not a command: a command has at most one word after its name
    "quit",
    PROMPT,  # after quit: never read
]


def blocks(output: str) -> list[str]:
    """The output cut at every echoed input line ('you> ...'), so blocks[i] belongs to the i-th line typed."""
    return re.split(r"^you> ", output, flags=re.MULTILINE)[1:]


@pytest.fixture(scope="module")
def session(tiny_output_root) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    from tests.level_4.conftest import run_level4_script

    return run_level4_script("chat.py", output_root=tiny_output_root, stdin="\n".join(SESSION) + "\n",
                             extra_env={"COLUMNS": "160"})


def test_session_runs_cleanly_and_stops_at_quit(session) -> None:  # type: ignore[no-untyped-def]
    assert_ok(session)
    assert "Traceback" not in session.stdout + session.stderr
    assert len(blocks(session.stdout)) == len(SESSION) - 1  # everything up to and including 'quit'
    assert "Goodbye" in session.stdout


def test_help_lists_the_commands(session) -> None:  # type: ignore[no-untyped-def]
    help_block = blocks(session.stdout)[SESSION.index("help")]
    for command in ("temp X", "topk N", "topp P", "len N", "seed N", "compare", "explain", "quit"):
        assert command in help_block


def texts_of(session_output: str) -> dict[int, str]:
    """Generated text for each line of SESSION that was the plain prompt."""
    found = {}
    for index, block in enumerate(blocks(session_output)):
        if SESSION[index] == PROMPT:
            found[index] = generated_text(block.split("\n", 1)[1], PROMPT)
    return found


def test_settings_commands_change_what_is_written(session) -> None:  # type: ignore[no-untyped-def]
    output = session.stdout
    for line, expected in [("temp 0", "temperature 0 (greedy"), ("len 25", "25 characters"),
                           ("seed 99", "seed 99"), ("topk 1", "top-k 1,"), ("topp 0.5", "top-p 0.5,"),
                           ("topk 0", "top-k off"), ("topp 1", "top-p off")]:
        assert "Settings: " in blocks(output)[SESSION.index(line)]
        assert expected in blocks(output)[SESSION.index(line)], line
    texts = list(texts_of(output).values())
    assert len(texts) == 6
    assert all(len(text) == 25 for text in texts)  # len 25
    greedy, greedy_other_seed, top_k_one, seven, seven_again, eight = texts
    assert greedy == greedy_other_seed  # temp 0: the seed no longer matters
    assert top_k_one == greedy  # topk 1 keeps only the favourite: greedy at any temperature
    assert seven == seven_again  # seed 7 twice: the same text
    assert seven != greedy  # temperature 1.2 with all characters allowed is not greedy
    assert eight != seven  # another seed, another text
    assert "Seed: 99" in blocks(output)[SESSION.index("seed 99") + 1]
    assert "Seed: 7" in blocks(output)[SESSION.index("seed 7") + 1]


def test_unknown_characters_are_named_and_explain_shows_the_shortlists(session) -> None:  # type: ignore[no-untyped-def]
    block = blocks(session.stdout)[SESSION.index("The crow ☔")]
    assert "UMBRELLA WITH RAIN DROPS" in block
    assert "Characters written: 25" in block
    rows = explain_rows(block)
    assert len(rows) == 25
    sizes = [int(row[-1]) for row in rows]
    assert all(1 <= size < 72 for size in sizes)  # top-p 0.5 always cuts the list short
    for row, size in zip(rows, sizes):
        probabilities = [float(cell.rsplit(" ", 1)[1]) for cell in row[3:8] if cell]
        assert probabilities == sorted(probabilities, reverse=True)
        if size <= 5:  # the whole shortlist is shown, and it adds up to 1
            assert sum(probabilities) == pytest.approx(1.0, abs=0.003)
    explain_off = blocks(session.stdout)[SESSION.index("explain", SESSION.index("The crow ☔"))]
    assert "Explain: off" in explain_off


def test_compare_shows_three_temperatures(session) -> None:  # type: ignore[no-untyped-def]
    block = blocks(session.stdout)[SESSION.index("compare")]
    for header in ("temperature 0.5", "temperature 1 ", "temperature 1.5"):
        assert header in block
    assert "memorised:" in block


def test_bad_values_get_friendly_messages(session) -> None:  # type: ignore[no-untyped-def]
    output = blocks(session.stdout)
    assert "The temperature must be a number, but 'hot' is not" in output[SESSION.index("temp hot")]
    assert "top-k must be 0 (off) or more; you gave -1" in output[SESSION.index("topk -1")]
    assert "top-p must be more than 0 and at most 1" in output[SESSION.index("topp 2")]
    assert "The length must be between 1 and" in output[SESSION.index("len 0")]
    assert "The seed must be a whole number" in output[SESSION.index("seed x")]
    assert "len is now 25" in output[SESSION.index("len")]
    assert "Settings: temperature 1.2, top-k off, top-p off, 25 characters" in output[SESSION.index("settings")]
    assert "Type a prompt" in output[SESSION.index("")]
    assert "Characters written: 25" in output[SESSION.index("seed of a mango tree")]


def test_one_shot_with_a_seed_is_reproducible_and_matches_the_repl(session, run_level4, tiny_output_root) -> None:  # type: ignore[no-untyped-def]
    """The same seed and settings give the same text every run, and the conversation's text can be remade."""
    args = ("--prompt", PROMPT, "--seed", "7", "--temperature", "1.2", "--max-new-tokens", "25")
    first = run_level4("generate.py", *args, output_root=tiny_output_root)
    second = run_level4("generate.py", *args, output_root=tiny_output_root)
    for process in (first, second):
        assert_ok(process)
        assert "Seed: 7" in process.stdout and "Memorised:" in process.stdout
    text = generated_text(first.stdout, PROMPT)
    assert len(text) == 25
    assert text == generated_text(second.stdout, PROMPT)
    assert text == texts_of(session.stdout)[SESSION.index("seed 7") + 1]


def test_exit_end_of_input_and_interactive_after_a_prompt(run_level4, tiny_output_root) -> None:  # type: ignore[no-untyped-def]
    by_exit = run_level4("chat.py", output_root=tiny_output_root, stdin=f"exit\n{PROMPT}\n")
    assert_ok(by_exit)
    assert "Characters written" not in by_exit.stdout and "Goodbye" in by_exit.stdout

    # Flags set the starting settings, commands change them; the input ends without 'quit'.
    both = run_level4("chat.py", "--max-new-tokens", "10",
                      output_root=tiny_output_root, stdin=f"{PROMPT}\nlen 5\n{PROMPT}")
    assert_ok(both)
    assert "Characters written: 10" in both.stdout and "Characters written: 5" in both.stdout
    assert "Goodbye" in both.stdout
