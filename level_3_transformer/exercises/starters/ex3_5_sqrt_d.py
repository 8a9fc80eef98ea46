"""Exercise 3.5 — Why √d? (Level 3, lesson.md, exercise 5).

(a) Write attention_weights(query, key, scaled) below: the causal attention weights of step 2, for a
query and a key tensor of shape (T, d) (T positions, d numbers each). Return a (T, T) tensor whose row t
holds how much position t listens to every position:

    scores  = query @ key.T, divided by √d when scaled is True (and not divided when it is False)
    masked  = the scores, with float("-inf") above the diagonal (no looking at the future)
    weights = softmax of each row

You can copy ideas from scaled_dot_product_attention in step2_attention.py, but write it yourself. The
check compares your weights with PyTorch's own attention.

(b) In the level_3_transformer folder, run

    python step2_attention.py --head-size 64          (or, from any folder: buildai run 3.2 --head-size 64)

and, in the table "Whom does each character listen to most?", count the rows whose weight is 0.90 or
more. Then edit the line `scores = scores / math.sqrt(d_k)` in step2_attention.py to leave out the
division (for example put a # in front of it), run the same command again, and count again. Put the
line back afterwards! Last: without the division, are the weights "sharper" (nearly everything on one
character) or "flatter" (shared out more evenly)?

Why this is bad for learning is for your eyes: compare with `buildai check 3.5 --reveal`.

    buildai check 3.5
"""

import math

import torch


def attention_weights(query: torch.Tensor, key: torch.Tensor, scaled: bool = True) -> torch.Tensor:
    """The (T, T) causal attention weights for a (T, d) query and key: each row adds up to 1."""
    raise NotImplementedError("write attention_weights")


ANSWERS = {
    # Rows (out of 11) in which one character gets a weight of 0.90 or more, with --head-size 64:
    "sure_rows_with_division": None,
    "sure_rows_without_division": None,
    # Without the division the weights are ...: "sharper" or "flatter".
    "without_division_weights_are": None,
}
