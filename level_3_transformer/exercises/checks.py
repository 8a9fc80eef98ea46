"""The checks of Level 3's exercises: `buildai check 3.N` runs this file on your answer.

Numbers you read off a training run of step 4 are compared with the recorded runs that lesson.md and
solutions.md quote (level_3_transformer/measured/, through lesson_numbers.py), so no check trains a
model. Functions you write are compared with the course's own code and with PyTorch.

Each exercise is graded in a fresh Python, so the slow imports (the lesson's numbers need PyTorch and
matplotlib) are made only by the checks that need them.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from contextlib import suppress
from functools import cache
from typing import Any
from unittest import mock

import torch
import torch.nn.functional as F

from buildai import grading
from buildai.grading import Checker

STEP4 = "python step4_put_it_together.py"
# A seeded run can end a little differently on another computer or PyTorch version (solutions.md says
# so; a different --seed alone moves the default run by about 0.04). This still tells a trained
# model's held-out loss from the loss before training, and a run with residuals from one without.
LOSS_TOLERANCE = 0.05
# Without the mask the loss collapses suddenly; a little earlier or later, it still ends far below 0.2.
NO_MASK_TOLERANCE = 0.1


# ------------------------------------------------------------------------------ the course's numbers


@cache
def recorded() -> dict[str, Any]:
    """The recorded runs of step 4 that the lesson quotes (measured/*.json), and what they add up to."""
    from level_3_transformer import lesson_numbers

    values: dict[str, Any] = {}
    for run in lesson_numbers.RECORDED:
        if run.name.startswith("step4_"):  # the default run and every run the exercises ask for
            values.update(run.load(lesson_numbers.FOLDER))
    values.update(lesson_numbers.derived(values))
    return values


def command(run: str) -> str:
    """How a learner makes a recorded run: 'default' or a name from lesson_numbers.EXERCISE_RUNS."""
    from level_3_transformer.lesson_numbers import EXERCISE_RUNS

    return STEP4 if run == "default" else " ".join([STEP4, *EXERCISE_RUNS[run]])


class _Parsed(Exception):
    """Carries step 4's parsed default flags out of its main(), before anything is built or trained."""


@cache
def step4_defaults() -> argparse.Namespace:
    """Step 4's default settings (embed size, heads, ...), read from its own command line, so they are
    always the ones a learner's run uses. Its main() stops as soon as the flags are parsed."""
    from buildai import script
    from level_3_transformer import step4_put_it_together

    def parse_only(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
        raise _Parsed(parser.parse_args([]))

    try:
        with mock.patch.object(script, "start_step", parse_only):
            step4_put_it_together.main([])
    except _Parsed as parsed:
        return parsed.args[0]
    raise RuntimeError("step 4 ran without parsing its flags")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def held_out_loss(check: Checker, key: str, run: str, others: Sequence[tuple[float, str]] = (),
                  tolerance: float = LOSS_TOLERANCE) -> bool:
    """ANSWERS[key] is the final held-out loss of a recorded run, with a hint for the usual misreadings.

    `others`: (a value, what it is) for numbers a learner may copy by mistake, such as another run's loss.
    """
    values = recorded()
    given = check.answers().get(key)
    hint = f"run `{command(run)}` and copy its line 'Final held-out loss' (a number like 2.345)"
    if is_number(given):
        if abs(given - values[f"{run}_initial"]) < 0.1:
            hint = ("that is the loss before training; the exercise asks for the 'Final held-out loss', "
                    "printed after the training")
        for value, what in others:
            if abs(given - value) <= tolerance:
                hint = f"that is the held-out loss of {what} — did two of your answers swap places?"
    return check.number(key, values[f"{run}_held"], hint, tolerance=tolerance)


# ------------------------------------------------------------------------------ 3.1 How many heads?


def heads(check: Checker) -> None:
    from buildai.data import load_corpus
    from level_3_transformer.parameter_count import count_parameters_by_part
    from level_3_transformer.step3_transformer_block import TransformerBlock
    from level_3_transformer.step4_put_it_together import MiniTransformer

    values, defaults = recorded(), step4_defaults()
    size, answers, vocabulary = defaults.embed_size, check.answers(), load_corpus().tokenizer.vocab_size
    untied = vocabulary * size  # a head with a table of its own, not the shared one
    for key, run, heads_count in (("parameters_1_head", "heads_1", 1), ("parameters_8_heads", "heads_8", 8)):
        expected, given = values[f"{run}_params"], answers.get(key)
        # The rows of the run's table "Learnable numbers, part by part", to recognise one copied by mistake.
        parts = dict(count_parameters_by_part(MiniTransformer(vocabulary, defaults.block_size, size, defaults.layers,
                                                              heads_count)))
        row = next((part for part, count in parts.items() if count == given and count != expected), None)
        hint = f"copy the line 'Total learnable numbers' of `{command(run)}`, without commas (1,234 is written 1234)"
        if is_number(given) and given == expected + untied:
            hint = ("the head has no table of its own: it shares the token embedding's (weight tying), so its "
                    "numbers are counted once — read the line 'Total learnable numbers'")
        elif row is not None:
            hint = (f"that is only the row '{row}' of the table; the whole count is on the line "
                    f"'Total learnable numbers'")
        check.number(key, expected, hint, tolerance=0)

    for key, run in (("loss_1_head", "heads_1"), ("loss_8_heads", "heads_8")):
        held_out_loss(check, key, run)

    block = TransformerBlock(size, 8)
    query = sum(parameter.numel() for parameter in block.attention.query.parameters())
    given = answers.get("query_numbers_8_heads")
    if is_number(given) and given in (query // 8, size * size // 8):
        hint = (f"that is one head's share; but there is ONE query layer for all the heads: {size} × {size} "
                f"weights plus {size} biases, and its {size} outputs are cut into 8 slices")
    elif is_number(given) and given == query * 8:
        hint = "the heads do not get a layer each: one query layer makes the queries of all 8 heads at once"
    elif is_number(given) and given == size * size:
        hint = f"add the biases: an nn.Linear({size}, {size}) has one bias for each of its {size} outputs"
    elif is_number(given) and given == 3 * query:
        hint = "that is query, key and value together; the question asks for the query layer alone"
    else:
        hint = f"the query layer is an nn.Linear({size}, {size}): count its weights and its biases"
    check.number("query_numbers_8_heads", query, hint, tolerance=0)

    per_head = block.attention.head_size
    given = answers.get("numbers_per_head_8_heads")
    hint = (f"divide, don't multiply: the {size} numbers are cut into 8 equal slices"
            if is_number(given) and given > size else
            f"the heads share the {size} numbers between them: how many does each of the 8 get?")
    check.number("numbers_per_head_8_heads", per_head, hint, tolerance=0)

    winner = "yes" if values["heads_spread"] > values["seeds_spread"] else "no"
    check.choice("clear_winner", winner,
                 f"the runs with 1, 2, 4 and 8 heads end within {values['heads_spread']:.2f} of each other, and a "
                 f"different --seed alone moves the default run by {values['seeds_spread']:.2f}: is that difference "
                 f"more than chance?")


# ------------------------------------------------------------------------------ 3.2 Take away the mask


def no_mask(check: Checker) -> None:
    from level_3_transformer.batches import get_batch

    values = recorded()
    held_out_loss(check, "loss_with_mask", "steps_600", [(values["no_mask_600_held"], "the run without the mask")])
    held_out_loss(check, "loss_without_mask", "no_mask_600",
                  [(values["steps_600_held"], "the normal run, with the mask"),
                   (values["no_mask_before_held"],
                    f"the run without the mask at step {values['no_mask_before_step']}, before its sudden drop")],
                  tolerance=NO_MASK_TOLERANCE)

    # The course's own training windows, cut from a text whose ids are their positions: the target's id
    # is then the position of the character that position 5 must guess.
    inputs, targets = get_batch(torch.arange(100), 8, 1, torch.Generator().manual_seed(0))
    target = int(targets[0, 5] - inputs[0, 0])
    given = check.answers().get("target_of_position_5")
    if given == 5:
        hint = "the character at position 5 is what it reads; its target is the one it must guess: the next"
    elif is_number(given) and given < 5:
        hint = "the target comes after the position, never before it: which character must position 5 guess?"
    else:
        hint = "each position's target is the character that comes next in the text"
    check.number("target_of_position_5", target, hint, tolerance=0)

    check.choice("generated_text", "worse",
                 "the loss is tiny, but read the text the run without the mask writes: when it writes, is there a "
                 "next character for it to copy?")


# ------------------------------------------------------------------------------ 3.3 Take away the residuals


def no_residual(check: Checker) -> None:
    values = recorded()
    pairs = (("2_blocks", "default", "no_residual"), ("4_blocks", "layers_4", "layers_4_no_residual"))
    for depth, with_run, without_run in pairs:
        blocks = depth.replace("_", " ")
        held_out_loss(check, f"loss_{depth}", with_run,
                      [(values[f"{without_run}_held"], f"the run with {blocks} WITHOUT residuals")])
        held_out_loss(check, f"loss_{depth}_no_residual", without_run,
                      [(values[f"{with_run}_held"], f"the run with {blocks} WITH residuals")])
    helps = values["layers_4_no_residual_held"] < values["no_residual_held"] - LOSS_TOLERANCE
    check.choice("more_blocks_help_without_residuals", "yes" if helps else "no",
                 "compare your two runs without residuals: did two more blocks bring the held-out loss down?")


# ------------------------------------------------------------------------------ 3.4 Count by hand


def count_by_hand(check: Checker) -> None:
    from level_3_transformer.step3_transformer_block import TransformerBlock

    block_parameters = check.function("block_parameters")
    counts = {size: check.call(block_parameters, size) for size in (1, 2, 3, 16, 64, 768)}
    wrong = [f"{size} gives {count!r}" for size, count in counts.items() if not is_number(count) or count != int(count)]
    check.require("it returns whole numbers", not wrong,
                  f"block_parameters should return a whole number of learnable numbers, but C = {(wrong or [''])[0]}")
    # Any count of this kind is a·C² + b·C: C² for every weight matrix, C for every bias and LayerNorm.
    squares = (counts[2] - 2 * counts[1]) / 2
    singles = counts[1] - squares
    if counts[3] != squares * 9 + singles * 3:
        hint = ("every part of a block has C × (something) or C numbers, so the count should be a·C² + b·C — "
                "does yours add a number that does not grow with C, or use the number of heads?")
    elif squares != 12:
        hint = {8: "8·C² is only the feed-forward network: attention adds four C × C layers (query, key, value, "
                   "output)",
                4: "4·C² is only attention's four layers: the feed-forward layers are C × 4C and 4C × C, 4·C² "
                   "each",
                11: "one C × C layer is missing: attention has four — query, key, value and the output layer",
                9: "the feed-forward network is 4 times wider: expand is C × 4C and project 4C × C, 4·C² "
                   "weights each",
                }.get(squares, f"your weights grow like {squares:g}·C²; count the weight matrix of every "
                               f"nn.Linear in the block: query, key, value, output, expand and project")
    else:
        hint = {0: "you counted the weights only: every nn.Linear also has one bias per output, and each LayerNorm "
                   "has C scales and C shifts",
                9: "4·C numbers are missing: the two LayerNorms have C scales and C shifts each (or did you forget "
                   "expand's 4·C biases?)",
                11: "2·C numbers are missing: there are TWO LayerNorms, norm_1 and norm_2, with 2·C numbers each",
                12: "C numbers are missing: did you count the biases of the output layer, or of project?",
                }.get(singles, f"the weights are right, but your biases and LayerNorms give {singles:g}·C: count "
                               f"one bias per output of every nn.Linear and 2·C numbers for each LayerNorm")
    hinted = False  # the first size that is wrong carries the hint; the others only say by how much
    for size, label in ((16, "step 3's block"), (64, "step 4's block"), (768, "a block as wide as GPT-2 small's")):
        truth = sum(parameter.numel() for parameter in TransformerBlock(size, 4).parameters())
        passed = counts[size] == truth
        check.that(f"block_parameters({size}) = PyTorch's count of {label}", passed,
                   f"yours gives {int(counts[size]):,}, PyTorch counts {truth:,}: "
                   + ("the same mistake as above" if hinted else hint))
        hinted = hinted or not passed


# ------------------------------------------------------------------------------ 3.5 Why √d?


def torch_weights(query: torch.Tensor, key: torch.Tensor, scale: float | None = None) -> torch.Tensor:
    """PyTorch's causal attention weights: its attention applied to the identity matrix as the values."""
    identity = torch.eye(key.shape[0], dtype=query.dtype)
    return F.scaled_dot_product_attention(query, key, identity, is_causal=True, scale=scale)


def why_sqrt_d(check: Checker) -> None:
    with suppress(grading.Stop):  # part (b) is graded even while the function of part (a) is unfinished
        attention_function(check)
    sure_rows(check)


def attention_function(check: Checker) -> None:
    """Part (a): the learner's causal attention weights, compared with PyTorch's, scaled and not."""
    attention_weights = check.function("attention_weights")
    generator = torch.Generator().manual_seed(3)
    length, size = 6, 16
    query, key = torch.randn(length, size, generator=generator), torch.randn(length, size, generator=generator)
    weights = check.call(attention_weights, query.clone(), key.clone())
    check.require("it returns a (T, T) tensor", isinstance(weights, torch.Tensor) and weights.shape == (length, length),
                  f"for {length} queries and {length} keys, attention_weights should return a {length} × {length} "
                  f"tensor: one row of weights per position")
    weights = weights.detach().float()
    ones = torch.ones(length)
    check.that("every row adds up to 1", torch.allclose(weights.sum(dim=-1), ones, atol=1e-4),
               "softmax along the last dimension (dim=-1), so that each ROW adds up to 1"
               if torch.allclose(weights.sum(dim=0), ones, atol=1e-4) else
               "turn every row of scores into weights with torch.softmax(scores, dim=-1)")
    future = torch.ones(length, length, dtype=torch.bool).triu(diagonal=1)
    if bool((weights.masked_select(future.T) == 0).all()):  # the past hidden instead of the future
        hint = ("the mask is the wrong way round: a position may see itself and the past (on and below the "
                "diagonal), never the future")
    else:
        hint = "before softmax, set every score above the diagonal to float('-inf'), so the future gets weight 0"
    check.that("no position looks at its future", bool((weights.masked_select(future) == 0).all()), hint)

    expected = torch_weights(query, key)
    if torch.allclose(weights, torch_weights(query, key, scale=1.0), atol=1e-5):
        hint = "those are the weights without the division: with scaled=True, divide the scores by √d first"
    elif torch.allclose(weights, torch_weights(query, key, scale=1 / size), atol=1e-5):
        hint = "divide the scores by √d (math.sqrt(d)), not by d"
    else:
        hint = "compute Q Kᵀ, divide by √d (d = numbers per query), mask the future, then softmax each row"
    check.that("scaled: the same weights as PyTorch's attention", torch.allclose(weights, expected, atol=1e-5), hint)
    unscaled = check.call(attention_weights, query.clone(), key.clone(), scaled=False)
    shaped = isinstance(unscaled, torch.Tensor) and unscaled.shape == expected.shape
    unscaled = unscaled.detach().float() if shaped else torch.full_like(expected, math.nan)
    if torch.allclose(unscaled, expected, atol=1e-5):
        hint = "with scaled=False, leave out the division by √d and do everything else the same"
    else:
        hint = "with scaled=False, softmax the masked scores Q Kᵀ as they are"
    check.that("scaled=False: PyTorch's weights with no division",
               torch.allclose(unscaled, torch_weights(query, key, scale=1.0), atol=1e-5), hint)


def sure_rows(check: Checker) -> None:
    """Part (b): rows of step 2's table with one weight of 0.90 or more, with and without the division."""
    from level_3_transformer import lesson_numbers, step2_attention

    # The numbers solutions.md quotes: step 2 run with --head-size 64, with and without the division. Its
    # heatmaps are not needed here, and drawing them would take most of the time this check may use.
    with mock.patch.object(step2_attention, "save_attention_grid", lambda *args, **kwargs: None):
        values = lesson_numbers._step2_numbers()
    rows = values["sentence_length"]
    counts = {"sure_rows_with_division": values["scaled_sure_rows"],
              "sure_rows_without_division": values["raw_sure_rows"]}
    for key_name, expected_rows in counts.items():
        other = sum(counts.values()) - expected_rows
        given = check.answers().get(key_name)
        if is_number(given) and abs(given - other) <= 1 and abs(given - expected_rows) > 1:
            hint = "that is the count for the other run: did your two answers swap places?"
        elif is_number(given) and given > rows:
            hint = f"step 2's sentence has {rows} characters, so its table has only {rows} rows"
        else:
            hint = ("run `python step2_attention.py --head-size 64` and, in the table 'Whom does each character listen "
                    "to most?', count the rows whose weight is 0.90 or more")
        # ±1: a weight printed with two decimals as 0.90 can be a hair under or over 0.9.
        check.number(key_name, expected_rows, hint, tolerance=1)
    check.choice("without_division_weights_are", "sharper",
                 "without the division most rows put almost all their weight on one character: is that sharper "
                 "or flatter than before?")


# ------------------------------------------------------------------------------ 3.6 RoPE


def rope_reference(x: torch.Tensor, pairs: str = "neighbours", turn: float = 1.0,
                   power: float = 2.0) -> torch.Tensor:
    """Rotary positions as the lesson describes them, worked out here with PyTorch.

    pairs: "neighbours" turns columns (2i, 2i+1) together, as solutions.md does; "halves" turns column i
    with column i + d/2, as Level 4 and many libraries do. The same turn, with the columns in another order.
    turn = -1 turns the other way; power = 1 gives the speeds 1 / 10000^(i/d) instead of 1 / 10000^(2i/d).
    """
    length, size = x.shape[-2], x.shape[-1]
    speeds = 1.0 / 10000.0 ** (power * torch.arange(size // 2, dtype=torch.float64) / size)
    angles = turn * torch.arange(length, dtype=torch.float64)[:, None] * speeds  # (T, d/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    first, second = (x[..., 0::2], x[..., 1::2]) if pairs == "neighbours" else x.chunk(2, dim=-1)
    turned_first, turned_second = first * cos - second * sin, first * sin + second * cos
    if pairs == "halves":
        return torch.cat([turned_first, turned_second], dim=-1)
    return torch.stack([turned_first, turned_second], dim=-1).flatten(-2)


def rope(check: Checker) -> None:
    apply_rope = check.function("apply_rope")
    generator = torch.Generator().manual_seed(6)
    x = torch.randn(2, 3, 10, 8, generator=generator)  # (batch, heads, T, head size), as inside attention
    given = x.clone()
    turned = check.call(apply_rope, given)
    check.require("it returns a tensor of the same shape", isinstance(turned, torch.Tensor) and turned.shape == x.shape,
                  f"apply_rope should return a tensor shaped like its input, here {tuple(x.shape)} "
                  f"(batch, heads, T, d)")
    turned = turned.detach().float()
    check.that("it leaves its input as it was", torch.equal(given, x),
               "apply_rope changed the tensor it was given; write the turned numbers into a new tensor "
               "(for example torch.empty_like(x)): whoever called it may still need the numbers as they were")
    check.that("position 0 is not turned", torch.allclose(turned[..., 0, :], x[..., 0, :], atol=1e-5),
               "at position 0 the angle is 0 × speed = 0, so the first position's numbers stay as they are: "
               "do your positions count from 0?")
    check.that("turning keeps every vector's length",
               torch.allclose(turned.norm(dim=-1), x.norm(dim=-1), rtol=1e-4, atol=1e-5),
               "the lengths changed, so this is not a pure turn: did you overwrite a pair's first number before "
               "using it for the second? Keep the old a and b: (a, b) → (a·cos − b·sin, a·sin + b·cos)")

    q, k = torch.randn(8, generator=generator), torch.randn(8, generator=generator)
    queries = check.call(apply_rope, q.expand(12, 8).clone())  # the same query at positions 0 .. 11
    keys = check.call(apply_rope, k.expand(12, 8).clone())
    scores = queries.detach().float() @ keys.detach().float().T
    check.that("the angle grows with the position",
               not torch.allclose(scores, scores[0, 0].expand_as(scores), atol=1e-4),
               "every score is the same, so the positions changed nothing: turn each pair at position p by the "
               "angle p × speed")
    check.that("the score of positions m and n depends only on m − n",
               torch.allclose(scores[:-1, :-1], scores[1:, 1:], atol=1e-4),
               "the score changes along a diagonal (same m − n): the angle must be exactly position × speed, "
               "with the same speed for a pair at every position")

    def matches(**variant: float) -> bool:
        """Does the learner's turn equal the lesson's (changed as `variant` says), with either pairing?"""
        return any(torch.allclose(turned, rope_reference(x, pairs, **variant), atol=1e-5)
                   for pairs in ("neighbours", "halves"))

    if matches(turn=-1.0):
        hint = ("you turned every pair the other way round (it still works, but the lesson turns anticlockwise): "
                "(a, b) → (a·cos θ − b·sin θ, a·sin θ + b·cos θ)")
    elif matches(power=1.0):
        hint = "the speed of pair i is 1 / 10000^(2i / d), where i counts the pairs 0, 1, 2, …: the power is 2i/d"
    else:
        hint = ("compare one pair by hand: at position p, columns 2i and 2i+1 = (a, b) become "
                "(a·cos θ − b·sin θ, a·sin θ + b·cos θ), with θ = p / 10000^(2i / d)")
    check.that("the same turns as the lesson's RoPE", matches(), hint)


CHECKS = {"3.1": heads, "3.2": no_mask, "3.3": no_residual, "3.4": count_by_hand, "3.5": why_sqrt_d, "3.6": rope}

if __name__ == "__main__":
    grading.main(CHECKS)
