"""Exercise 3.6 — the reference answer (the same as solutions.md's)."""

import torch


def apply_rope(x: torch.Tensor) -> torch.Tensor:
    """x (..., T, d) with each pair of numbers (columns 2i, 2i+1) at position p turned by p / 10000^(2i/d)."""
    length, size = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=x.dtype).unsqueeze(1)  # (T, 1)
    speeds = 1.0 / (10000.0 ** (torch.arange(0, size, 2, dtype=x.dtype) / size))  # (d/2,)
    angles = positions * speeds  # (T, d/2)
    cos, sin = torch.cos(angles), torch.sin(angles)
    first, second = x[..., 0::2], x[..., 1::2]  # the two numbers of every pair
    rotated = torch.empty_like(x)
    rotated[..., 0::2] = first * cos - second * sin
    rotated[..., 1::2] = first * sin + second * cos
    return rotated
