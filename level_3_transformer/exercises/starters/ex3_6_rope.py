"""Exercise 3.6 — Stretch: rotary positions (RoPE) (Level 3, lesson.md, exercise 6).

Write apply_rope(x) for a tensor x of shape (..., T, d): any leading dimensions (batch, heads), then
T positions, then d numbers per position (d is even). Take the numbers of each position in pairs —
columns 0 and 1, 2 and 3, ..., that is columns 2i and 2i+1, like the sine and cosine columns of step 1's
positional encoding — and turn each pair at position p by the angle

    θ = p × speed_i,   with   speed_i = 1 / 10000^(2i / d)   (i = 0, 1, ..., d/2 − 1; positions count from 0)

Turning a pair (a, b) by the angle θ (anticlockwise) gives (a·cos θ − b·sin θ, a·sin θ + b·cos θ).
Return a NEW tensor and leave x as it was. (Level 4 pairs column i with column i + d/2 instead, as
many libraries do; that pairing is accepted too.)

The check tests the key property: put the same query at every position and the same key at every
position; then the score between positions m and n depends only on m − n. Try it yourself first
(torch.randn(8).expand(10, 8) is the same 8 numbers at 10 positions).

Using apply_rope inside MultiHeadAttention (on the queries and keys, not the values) and training
with it is for your own experiments: compare with `buildai check 3.6 --reveal`.

    buildai check 3.6
"""

import torch


def apply_rope(x: torch.Tensor) -> torch.Tensor:
    """x (..., T, d) with each pair of numbers (columns 2i, 2i+1) at position p turned by p / 10000^(2i/d)."""
    raise NotImplementedError("write apply_rope")
