"""Counting a model's learnable numbers, part by part.

"How big is this model, and where are its numbers?" is the first question to ask of any
network. Step 3.4 prints this table for the mini-transformer, and Level 4 for its GPT.
"""

from __future__ import annotations

from torch import nn


def count_parameters_by_part(model: nn.Module) -> list[tuple[str, int]]:
    """How many numbers the model learns, grouped by the first part of each parameter's name.

    Works for any model: the parts are its top-level submodules (and any parameter stored
    directly on the model). A parameter shared by two parts (weight tying) is counted once,
    under the part that owns it first; a part whose parameters are all shared shows 0.

    >>> model = nn.Sequential()
    >>> model.add_module("embed", nn.Embedding(10, 4))
    >>> model.add_module("head", nn.Linear(4, 10, bias=False))
    >>> count_parameters_by_part(model)
    [('embed', 40), ('head', 40)]
    >>> model.head.weight = model.embed.weight  # weight tying: one table, used twice
    >>> count_parameters_by_part(model)
    [('embed', 40), ('head', 0)]
    """
    # Every name in order (shared ones included), so the table follows the model's own order.
    order = list(dict.fromkeys(name.split(".")[0] for name, _ in model.named_parameters(remove_duplicate=False)))
    counts = dict.fromkeys(order, 0)
    for name, parameter in model.named_parameters():  # each shared parameter appears once here
        counts[name.split(".")[0]] += parameter.numel()
    return [(part, counts[part]) for part in order]
