"""How well a model predicts a text: the held-out score train.py prints at every evaluation.

`score_text` slides windows along the text and adds up the loss of every prediction once; the same total,
shared out over the text's characters or bytes instead of its ids, gives bits per character and bits per
byte (reporting.Score), the numbers that compare a character model with a BPE model. `average_loss` is the
mean in nats per id, what quantize_step.py and the benchmarks compare before and after.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from buildai import token_file
from level_4_mini_gpt import reporting
from level_4_mini_gpt.model import MiniGPT
from level_4_mini_gpt.run_control import autocast_for
from level_4_mini_gpt.tokenizers_choice import TokenSizes


@torch.no_grad()
def score_text(model: MiniGPT, data: torch.Tensor | token_file.TokenIds, block_size: int, device: torch.device,
               max_windows: int | None = None, windows_per_batch: int = 64,
               sizes: TokenSizes | None = None) -> reporting.Score:
    """Cross-entropy (in nats) of predicting each id of `data` from the ones before it, added up.

    Windows of block_size ids slide along the text by half a window. The first window scores all its
    predictions; every later one scores only its second half, so each id is predicted once, with at least
    half a window of earlier ids to look at -- a fair comparison with an n-gram, which always sees its full
    (short) context. With `max_windows`, only that many windows, spread evenly over the text, are scored (a
    quick estimate, used for the training text). `sizes` says how many characters and bytes each id stands
    for; without it, one id counts as one character of one byte.

    >>> import math
    >>> from level_4_mini_gpt.model import GPTConfig
    >>> config = GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=8)
    >>> score = score_text(MiniGPT(config), torch.tensor([0, 1, 2, 3, 4, 0, 1, 2]), 4, torch.device("cpu"))
    >>> score.predictions, abs(score.loss - math.log(5)) < 0.1   # untrained: about ln(vocabulary size)
    (7, True)
    """
    predictions = len(data) - 1  # the first id has nothing before it
    length = min(block_size, predictions)
    stride = max(1, length // 2)
    starts = list(range(0, predictions - length + 1, stride))
    if starts[-1] != predictions - length:
        starts.append(predictions - length)  # one last window, flush with the end of the text
    # Window i predicts ids starts[i] + 1 ... starts[i] + length; score those the window before did not.
    first_scored = [0] + [previous + length - start for previous, start in zip(starts, starts[1:])]
    if max_windows is not None and len(starts) > max_windows:
        chosen = torch.linspace(0, len(starts) - 1, max_windows).long().tolist()
        starts = [starts[index] for index in chosen]
        first_scored = [0 if start == 0 else length - stride for start in starts]
    was_training = model.training
    model.eval()
    total, count = torch.zeros((), device=device), 0
    characters, size = torch.zeros((), dtype=torch.long, device=device), torch.zeros((), dtype=torch.long, device=device)
    with autocast_for(device):
        for first in range(0, len(starts), windows_per_batch):
            batch_starts = starts[first : first + windows_per_batch]
            inputs = torch.stack([data[start : start + length] for start in batch_starts]).to(device)
            targets = torch.stack([data[start + 1 : start + length + 1] for start in batch_starts]).to(device)
            logits, _ = model(inputs)
            losses = F.cross_entropy(logits.float().transpose(1, 2), targets, reduction="none")  # (windows, length)
            scored = torch.arange(length, device=device)[None, :] >= torch.tensor(
                first_scored[first : first + windows_per_batch], device=device)[:, None]
            total += losses[scored].sum()
            count += int(scored.sum())
            if sizes is not None:  # the text the scored ids stand for
                characters += sizes.characters[targets[scored]].sum()
                size += sizes.bytes[targets[scored]].sum()
    model.train(was_training)
    if sizes is None:  # every id counts as one character of one byte
        return reporting.Score(float(total), count, count, count)
    return reporting.Score(float(total), count, int(characters), int(size))


def average_loss(model: MiniGPT, data: torch.Tensor | token_file.TokenIds, block_size: int, device: torch.device,
                 max_windows: int | None = None, windows_per_batch: int = 64) -> float:
    """Mean cross-entropy (in nats) of predicting each id of `data` from the ones before it (see score_text)."""
    return score_text(model, data, block_size, device, max_windows, windows_per_batch).loss
