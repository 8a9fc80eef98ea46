"""Level 3's exercises: the reference answers pass, typical wrong answers get the hint meant for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildai.data import load_corpus
from buildai.exercises import exercises_of
from level_3_transformer.exercises.checks import recorded, step4_defaults
from tests.exercise_helpers import assert_all_pass, assert_hint, grade_file, grade_source

GRADABLE = [exercise for exercise in exercises_of("3") if exercise.gradable]


@pytest.mark.parametrize("exercise", GRADABLE, ids=lambda exercise: exercise.id)
def test_reference_answer_passes(exercise) -> None:
    assert_all_pass(grade_file(exercise.id, exercise.reference_path))


# The recorded runs the lesson quotes, so the wrong answers stay wrong in the same way if a run is recorded again.
RUNS = recorded()
SIZE = step4_defaults().embed_size
UNTIED = RUNS["heads_1_params"] + load_corpus().tokenizer.vocab_size * SIZE


def answers(right: dict[str, object], **changed: object) -> str:
    """An ANSWERS dictionary with the right values, except the ones changed."""
    return f"ANSWERS = {({**right, **changed})!r}"


HEADS = dict(parameters_1_head=RUNS["heads_1_params"], parameters_8_heads=RUNS["heads_8_params"],
             loss_1_head=RUNS["heads_1_held"], loss_8_heads=RUNS["heads_8_held"],
             query_numbers_8_heads=SIZE * SIZE + SIZE, numbers_per_head_8_heads=SIZE // 8, clear_winner="no")
MASK = dict(loss_with_mask=RUNS["steps_600_held"], loss_without_mask=RUNS["no_mask_600_held"], target_of_position_5=6,
            generated_text="worse")
RESIDUAL = dict(loss_2_blocks=RUNS["default_held"], loss_2_blocks_no_residual=RUNS["no_residual_held"],
                loss_4_blocks=RUNS["layers_4_held"], loss_4_blocks_no_residual=RUNS["layers_4_no_residual_held"],
                more_blocks_help_without_residuals="no")
SQRT_ANSWERS = dict(sure_rows_with_division=5, sure_rows_without_division=10, without_division_weights_are="sharper")

ATTENTION = """
import math
import torch

def attention_weights(query, key, scaled=True):
    scores = query @ key.T
    if {divide}:
        scores = scores / {by}
    future = torch.ones(len(query), len(key), dtype=torch.bool).{mask}
    return torch.softmax(scores.masked_fill(future, float("-inf")), dim={dim})

ANSWERS = {answers}
"""


def attention(divide: str = "scaled", by: str = "math.sqrt(query.shape[-1])", mask: str = "triu(diagonal=1)",
              dim: str = "-1", **changed: object) -> str:
    return ATTENTION.format(divide=divide, by=by, mask=mask, dim=dim, answers=repr({**SQRT_ANSWERS, **changed}))


ROPE = """
import torch

def apply_rope(x):
    length, size = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=x.dtype).unsqueeze(1) {shift}
    speeds = 1.0 / (10000.0 ** ({power} * torch.arange(size // 2, dtype=x.dtype) / size))
    angles = {angles}
    cos, sin = torch.cos(angles), torch.sin(angles)
    {body}
    return rotated
"""
FRESH = """first, second = x[..., 0::2], x[..., 1::2]
    rotated = torch.empty_like(x)
    rotated[..., 0::2] = first * cos - second * {sign}sin
    rotated[..., 1::2] = first * {sign_2}sin + second * cos"""
OVERWRITE = """rotated = x.clone()
    rotated[..., 0::2] = rotated[..., 0::2] * cos - rotated[..., 1::2] * sin
    rotated[..., 1::2] = rotated[..., 0::2] * sin + rotated[..., 1::2] * cos"""
IN_PLACE = """first, second = x[..., 0::2].clone(), x[..., 1::2].clone()
    x[..., 0::2] = first * cos - second * sin
    x[..., 1::2] = first * sin + second * cos
    rotated = x"""
HALVES = """first, second = x.chunk(2, dim=-1)
    rotated = torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)"""


def rope(shift: str = "", power: str = "2", angles: str = "positions * speeds", body: str | None = None) -> str:
    return ROPE.format(shift=shift, power=power, angles=angles, body=body or FRESH.format(sign="", sign_2=""))


WRONG = {
    "3.1": [
        (answers(HEADS, parameters_1_head=UNTIED), "the head has no table of its own"),
        (answers(HEADS, parameters_8_heads=2 * (12 * SIZE * SIZE + 13 * SIZE)), "that is only the row 'blocks'"),
        (answers(HEADS, loss_8_heads=RUNS["heads_8_initial"]), "that is the loss before training"),
        (answers(HEADS, query_numbers_8_heads=(SIZE * SIZE + SIZE) // 8), "that is one head's share"),
        (answers(HEADS, query_numbers_8_heads=SIZE * SIZE), "add the biases"),
        (answers(HEADS, numbers_per_head_8_heads=SIZE * 8), "divide, don't multiply"),
        (answers(HEADS, clear_winner="yes"), "is that difference more than chance?"),
    ],
    "3.2": [
        (answers(MASK, loss_with_mask=MASK["loss_without_mask"], loss_without_mask=MASK["loss_with_mask"]),
         "did two of your answers swap places?"),
        (answers(MASK, loss_without_mask=RUNS["no_mask_before_held"]), "before its sudden drop"),
        (answers(MASK, target_of_position_5=5), "its target is the one it must guess: the next"),
        (answers(MASK, generated_text="better"), "is there a next character for it to copy?"),
    ],
    "3.3": [
        (answers(RESIDUAL, loss_2_blocks=RESIDUAL["loss_2_blocks_no_residual"],
                    loss_2_blocks_no_residual=RESIDUAL["loss_2_blocks"]), "did two of your answers swap places?"),
        (answers(RESIDUAL, loss_4_blocks_no_residual=RUNS["layers_4_no_residual_initial"]),
         "that is the loss before training"),
        (answers(RESIDUAL, more_blocks_help_without_residuals="yes"), "did two more blocks bring"),
    ],
    "3.4": [
        ("def block_parameters(C):\n    return 12 * C * C\n", "you counted the weights only"),
        ("def block_parameters(C):\n    return 12 * C * C + 9 * C\n", "4·C numbers are missing"),
        ("def block_parameters(C):\n    return 8 * C * C + 13 * C\n", "8·C² is only the feed-forward network"),
        ("def block_parameters(C):\n    return 11 * C * C + 12 * C\n", "one C × C layer is missing"),
        ("def block_parameters(C):\n    return 12 * C * C + 13 * C + 4\n", "a number that does not grow with C"),
        ("def block_parameters(C):\n    return 12.5 * C * C\n", "should return a whole number"),
        ("def block_parameters(C):\n    raise NotImplementedError\n", "not written yet"),
    ],
    "3.5": [
        (attention(divide="False"), "those are the weights without the division"),
        (attention(by="query.shape[-1]"), "not by d"),
        (attention(dim="0"), "so that each ROW adds up to 1"),
        (attention(mask="tril(diagonal=-1)"), "the mask is the wrong way round"),
        (attention(divide="True"), "with scaled=False, leave out the division"),
        (attention(sure_rows_with_division=10, sure_rows_without_division=5), "did your two answers swap places?"),
        (attention(without_division_weights_are="flatter"), "sharper or flatter"),
        # Part (b) is graded while the function of part (a) is still unwritten.
        ("def attention_weights(query, key, scaled=True):\n    raise NotImplementedError\n"
         f"ANSWERS = {dict(SQRT_ANSWERS, sure_rows_with_division=10, sure_rows_without_division=5)!r}\n",
         "did your two answers swap places?"),
    ],
    "3.6": [
        (rope(body=OVERWRITE), "did you overwrite a pair's first number"),
        (rope(body=IN_PLACE), "apply_rope changed the tensor it was given"),
        (rope(body=FRESH.format(sign="-", sign_2="-")), "you turned every pair the other way round"),
        (rope(power="1"), "the power is 2i/d"),
        (rope(shift="+ 1"), "do your positions count from 0?"),
        (rope(angles="positions ** 2 * speeds"), "the score changes along a diagonal"),
        ("import torch\ndef apply_rope(x):\n    return x.clone()\n", "the positions changed nothing"),
    ],
}
CASES = [(exercise_id, source, hint) for exercise_id, cases in WRONG.items() for source, hint in cases]


@pytest.mark.parametrize("exercise_id, source, hint", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_wrong_answer_gets_its_hint(exercise_id: str, source: str, hint: str, tmp_path: Path) -> None:
    assert_hint(grade_source(exercise_id, source, tmp_path), hint)


def test_every_gradable_exercise_has_two_wrong_answers() -> None:
    assert {exercise.id for exercise in GRADABLE} == set(WRONG)
    assert all(len(cases) >= 2 for cases in WRONG.values())


def test_rope_that_pairs_the_two_halves_passes_too(tmp_path: Path) -> None:
    """Level 4 (and many libraries) turn column i with column i + d/2: the same turns, another order of columns."""
    assert_all_pass(grade_source("3.6", rope(body=HALVES), tmp_path))


def test_losses_read_off_a_run_are_accepted_as_printed(tmp_path: Path) -> None:
    """A learner copies losses with three decimals; a run on another computer may end a little differently."""
    printed = {key: round(value, 3) + 0.01 if key.startswith("loss") else value for key, value in RESIDUAL.items()}
    assert_all_pass(grade_source("3.3", answers(printed), tmp_path))
