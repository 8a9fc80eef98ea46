"""Exercise 3.5 — the reference answer: (b) is read off step 2's table, with and without the division."""

import math
from unittest import mock

import torch

from level_3_transformer import step2_attention
from level_3_transformer.lesson_numbers import StepRun, run_step


def attention_weights(query: torch.Tensor, key: torch.Tensor, scaled: bool = True) -> torch.Tensor:
    """The (T, T) causal attention weights for a (T, d) query and key: each row adds up to 1."""
    scores = query @ key.T
    if scaled:
        scores = scores / math.sqrt(query.shape[-1])
    length = scores.shape[-1]
    future = torch.ones(length, length, dtype=torch.bool).triu(diagonal=1)  # above the diagonal
    return torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)


def sure_rows(run: StepRun) -> int:
    """The rows of 'Whom does each character listen to most?' whose weight is 0.90 or more, as printed."""
    return sum(float(weight) >= 0.90 for _, _, weight in run.table("Whom does each character listen to most?"))


def no_picture(*args: object, **kwargs: object) -> None:
    """Step 2 also draws a heatmap; the table is all this answer reads, and drawing takes seconds."""


def undivided(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, causal: bool = False):
    """Step 2's attention with its division by √d undone, as the exercise's edit does (the file stays as it is)."""
    return scaled_dot_product_attention(query * math.sqrt(query.shape[-1]), key, value, causal=causal)


scaled_dot_product_attention = step2_attention.scaled_dot_product_attention
with mock.patch.object(step2_attention, "save_attention_grid", no_picture):
    with_division = run_step(step2_attention, "--head-size", "64")
    with mock.patch.object(step2_attention, "scaled_dot_product_attention", undivided):
        without_division = run_step(step2_attention, "--head-size", "64")

ANSWERS = {
    "sure_rows_with_division": sure_rows(with_division),
    "sure_rows_without_division": sure_rows(without_division),
    "without_division_weights_are": "sharper",
}
