"""Training windows: how a language model's examples are cut out of a long text.

A model that reads `block_size` characters at a time learns from windows of the text:
the inputs are `block_size` characters, the targets the same characters moved one to
the right, so at every position the answer is "the character that comes next".
Step 3.4 trains with these windows, and Level 4 uses the same function.
"""

from __future__ import annotations

import torch

from buildai.errors import UserError


def get_batch(
    data: torch.Tensor, block_size: int, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cut `batch_size` random windows of `block_size` characters out of `data` (a 1-D tensor of ids).

    The targets are the same windows moved one character to the right: at every position
    the model must predict the character that comes next. The windows' start points come
    from `generator`, so the same seed gives the same batches.

    >>> data = torch.arange(10)
    >>> inputs, targets = get_batch(data, block_size=4, batch_size=2, generator=torch.Generator().manual_seed(0))
    >>> inputs.shape, targets.shape
    (torch.Size([2, 4]), torch.Size([2, 4]))
    >>> bool((targets[:, :-1] == inputs[:, 1:]).all())
    True
    >>> bool((targets == inputs + 1).all())  # here each id is its own position, so "next" is "plus one"
    True
    """
    if data.dim() != 1:
        raise ValueError("data must be a 1-D tensor of token ids")
    if len(data) <= block_size:
        raise UserError(
            f"The text has only {len(data)} characters, too short for windows of {block_size} characters "
            f"(plus one to predict). Use a longer text or a smaller --block-size."
        )
    # A window starting at `start` needs data[start : start + block_size + 1] (inputs and one more target).
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    inputs = torch.stack([data[start : start + block_size] for start in starts.tolist()])
    targets = torch.stack([data[start + 1 : start + block_size + 1] for start in starts.tolist()])
    return inputs.long(), targets.long()
