"""Four changes newer GPTs (LLaMA, Mistral, Qwen, ...) make to the GPT-2 design, one small piece each.

model.py builds GPT-2 by default. Each setting below swaps one GPT-2 part for its modern version
(`GPTConfig(position="rope", norm="rms", mlp="swiglu", n_kv_head=2)` turns all four on):

    position="rope"   RotaryPositions   no table of positions: each head's queries and keys are turned by an
                                        angle that grows with the position, so a score depends on how far
                                        apart two characters are -- not on where they stand
    norm="rms"        RMSNorm           LayerNorm without the mean: only rescale, do not shift (less work)
    mlp="swiglu"      SwiGLU            a feed-forward network with a gate: one Linear decides, number by
                                        number, how much of another Linear's output to let through
    n_kv_head=2       repeat_heads      grouped-query attention: several query heads share one key/value
                                        head, so the KV cache of generation is several times smaller

None of these is needed to understand a GPT; together they are why a new model is a little better, and
cheaper to run, than GPT-2 at the same size. benchmarks/level4_modern.py trains both on our stories.

    >>> x = torch.randn(2, 5, 8)
    >>> RMSNorm(8)(x).pow(2).mean(-1).allclose(torch.ones(2, 5), atol=1e-4)   # every position rescaled to size 1
    True
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

ROPE_BASE = 10_000.0  # the slowest pair turns by 1 / 10000 of a radian per position (the RoPE paper's choice)


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight: scale each position's numbers to size 1, then stretch each a learned amount.

    LayerNorm first subtracts the mean and has a learned shift (bias) too. Models train as well without
    both, so RMSNorm drops them: fewer numbers, and one reduction instead of two.
    """

    def __init__(self, size: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps  # keeps the division safe when every number is 0
        self.weight = nn.Parameter(torch.ones(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        root_mean_square = torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return x / root_mean_square * self.weight


class RotaryPositions(nn.Module):
    """Rotary position embeddings (RoPE): turn pairs of a head's numbers by an angle proportional to the position.

    The numbers of a head are taken in pairs (number i with number i + head_size / 2); each pair is a point
    in a plane, and at position p it is turned by the angle p * frequency_i. A query at position p and a key
    at position q are both turned, and the dot product of two turned points depends only on the angle
    *between* them: (p - q) * frequency_i. So attention sees how far back a character is, never where it
    stands, and nothing about positions has to be learned. The fast-turning pairs tell near neighbours
    apart; the slow ones still notice distances of hundreds of characters.

    The angles for every position the model can see (block_size) are worked out once, here.
    """

    def __init__(self, head_size: int, block_size: int, base: float = ROPE_BASE):
        super().__init__()
        half = head_size // 2
        frequencies = base ** (-torch.arange(half, dtype=torch.float32) / half)  # 1, ..., about 1 / base
        angles = torch.arange(block_size, dtype=torch.float32)[:, None] * frequencies[None, :]  # (block_size, half)
        # Not learned and not saved in checkpoints (persistent=False): they are the same for every model of this size.
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self, x: torch.Tensor, start: int = 0) -> torch.Tensor:
        """x (batch, heads, length, head size) at positions start, ..., start + length - 1 -> x turned.

        `start` is the number of positions already in the KV cache: a new token must be turned by the angle
        of where it really stands, not as if it were the first.
        """
        length = x.shape[-2]
        cos = self.cos[start : start + length].to(x.dtype)
        sin = self.sin[start : start + length].to(x.dtype)
        first, second = x.chunk(2, dim=-1)  # the two coordinates of every pair
        # Turning the point (a, b) by angle t gives (a cos t - b sin t, a sin t + b cos t).
        return torch.cat([first * cos - second * sin, first * sin + second * cos], dim=-1)


def swiglu_hidden_size(n_embd: int) -> int:
    """The hidden width for SwiGLU that keeps the feed-forward network's size close to GPT-2's.

    GPT-2's network has 2 matrices of n_embd x 4 n_embd; SwiGLU has 3, so each gets 2/3 of that width:
    3 * (2/3 * 4 n_embd) = 2 * 4 n_embd numbers per row of n_embd, as before. Rounded to a multiple of 8
    (matrix maths runs faster on tidy sizes).

    >>> swiglu_hidden_size(128), swiglu_hidden_size(96), swiglu_hidden_size(8)
    (344, 256, 24)
    """
    return max(8, 8 * round(2 * 4 * n_embd / 3 / 8))


class SwiGLU(nn.Module):
    """A gated feed-forward network: project(silu(gate(x)) * expand(x)).

    GPT-2's network is project(gelu(expand(x))). Here a second Linear, the gate, is passed through SiLU
    (x * sigmoid(x): near 0 for negative x, near x for positive x) and multiplied number by number with
    expand(x): each hidden number can be let through, dimmed or blocked depending on the input.
    """

    def __init__(self, n_embd: int, hidden: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        self.gate = nn.Linear(n_embd, hidden, bias=bias)
        self.expand = nn.Linear(n_embd, hidden, bias=bias)
        self.project = nn.Linear(hidden, n_embd, bias=bias)  # the same name as in GPT-2's network: the last Linear
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.project(F.silu(self.gate(x)) * self.expand(x)))


def repeat_heads(x: torch.Tensor, times: int) -> torch.Tensor:
    """(batch, kv heads, length, head size) -> (batch, kv heads * times, length, head size), each head `times` over.

    Grouped-query attention: query heads 0 .. times-1 all use key/value head 0, the next `times` use head 1,
    and so on. Only the small version is computed and kept in the KV cache; it is repeated just for the sums.

    >>> repeat_heads(torch.tensor([[[[1.0]], [[2.0]]]]), 2).flatten().tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    return x if times == 1 else x.repeat_interleave(times, dim=1)
