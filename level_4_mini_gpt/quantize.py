"""Smaller models: int8 weights, by hand.

A trained weight is a float32 number: 4 bytes. Most of a Mini-GPT's numbers sit in its Linear layers, and
those numbers are small and crowded around 0. So we can store each one as a whole number from -127 to 127
(an int8: 1 byte) plus, for each row of the matrix, one float "step size" that says what a step of 1 is
worth. That is a quarter of the bytes for the big matrices, and the model hardly notices.

For one row of a weight matrix (one output of the layer), "absmax" quantisation is:

    scale = max |w| / 127                      the row's largest weight becomes exactly +-127
    q     = round(w / scale), kept in [-127, 127], stored as int8
    w'    = q * scale                          what the layer uses: never more than scale / 2 from w

A worked example, a 2 x 3 weight by hand (row 1: max |w| = 1.27, so a step is 0.01; row 2: 2.54, so 0.02):

    >>> weight = torch.tensor([[1.27, -0.5, 0.333], [0.0, 2.54, -1.0]])
    >>> q, scale = quantize_weight(weight)
    >>> q.tolist()
    [[127, -50, 33], [0, 127, -50]]
    >>> q.dtype, [round(step, 4) for step in scale.flatten().tolist()]
    (torch.int8, [0.01, 0.02])
    >>> [[round(w, 4) for w in row] for row in dequantize_weight(q, scale).tolist()]
    [[1.27, -0.5, 0.33], [0.0, 2.54, -1.0]]

Only 0.333 moved (to 0.33): 0.003 away, less than half a step (0.005), as promised.

`quantize_model` swaps every Linear layer of a model for a `QuantizedLinear`, `save_weights` writes any
model's tensors with safetensors (int8 stays 1 byte a number on disk), and `dequantization_errors` measures
how far each layer's weights moved. quantize_step.py (step 4.5) puts it all together on your trained model,
next to PyTorch's own int8 layers (`pytorch_dynamic_int8`) where the installed PyTorch still has them.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from buildai.safe_io import load_tensors, save_tensors

LEVELS = 127  # int8 holds -128 .. 127; we use -127 .. 127 so that 0 sits exactly in the middle


def quantize_weight(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A float (out, in) weight -> (int8 numbers of the same shape, float32 scales of shape (out, 1)).

    One scale per row: a row with big weights gets big steps, a row with small weights gets fine steps.
    A row of zeros gets scale 1 (any scale would do: its numbers are all 0).
    """
    weight = weight.detach().float()
    largest = weight.abs().amax(dim=1, keepdim=True)  # max |w| of each row, shape (out, 1)
    scale = torch.where(largest > 0, largest / LEVELS, torch.ones_like(largest))
    q = torch.round(weight / scale).clamp(-LEVELS, LEVELS).to(torch.int8)
    return q, scale


def dequantize_weight(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The int8 numbers back to floats: each one times its row's step size."""
    return q.float() * scale


class QuantizedLinear(nn.Module):
    """A Linear layer whose weight is kept as int8 numbers plus one float scale per output row.

    Every forward pass turns the int8 numbers back into floats (w = q * scale) and does an ordinary float
    matrix multiply. So this saves memory and disk, not arithmetic: the multiply is as big as before, plus
    the unpacking. (PyTorch's quantised layers also multiply in int8, which needs special CPU instructions.)
    It is for using a trained model; it cannot be trained (int8 numbers have no gradients).

    >>> layer = nn.Linear(3, 2)
    >>> small = QuantizedLinear.from_linear(layer)
    >>> small
    QuantizedLinear(in_features=3, out_features=2, bias=True)
    >>> x = torch.randn(4, 3)
    >>> bool((small(x) - layer(x)).abs().max() < 0.01)
    True
    """

    def __init__(self, weight_int8: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None):
        super().__init__()
        # Buffers, not Parameters: they are saved and loaded with the model, but never trained.
        self.register_buffer("weight_int8", weight_int8)
        self.register_buffer("scale", scale)
        self.register_buffer("bias", None if bias is None else bias.detach().float().clone())

    @classmethod
    def from_linear(cls, linear: nn.Linear) -> QuantizedLinear:
        q, scale = quantize_weight(linear.weight)
        return cls(q, scale, linear.bias)

    @property
    def in_features(self) -> int:
        return self.weight_int8.shape[1]

    @property
    def out_features(self) -> int:
        return self.weight_int8.shape[0]

    def dequantized_weight(self) -> torch.Tensor:
        return dequantize_weight(self.weight_int8, self.scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.dequantized_weight(), self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def linear_layers_to_quantize(model: nn.Module) -> list[str]:
    """The names of the Linear layers we make int8: all of them except one that shares an embedding's table.

    Mini-GPT's output head is "tied": it uses the very same table as token_embedding (model.py), so it is
    skipped. The embedding is read one row at a time (a look-up, not a matrix multiply) and is small next to
    the blocks; quantising the head would mean either quantising the embedding too, or keeping a second,
    int8 copy of the table next to the float one, which breaks the tie and makes the file *bigger*.
    A model whose head is not tied gets its head quantised like every other Linear.
    """
    embedding_tables = {id(module.weight) for module in model.modules() if isinstance(module, nn.Embedding)}
    return [name for name, module in model.named_modules()
            if isinstance(module, nn.Linear) and id(module.weight) not in embedding_tables]


def quantize_model(model: nn.Module) -> nn.Module:
    """A copy of `model` with each Linear layer (see linear_layers_to_quantize) replaced by a QuantizedLinear.

    The original model is left as it is, so the two can be compared. Everything else -- embeddings,
    LayerNorms, the tied output head -- stays float32.

    >>> from level_4_mini_gpt.model import GPTConfig, MiniGPT
    >>> small = quantize_model(MiniGPT(GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=16)))
    >>> small.blocks[0].attention.query_key_value
    QuantizedLinear(in_features=16, out_features=48, bias=True)
    >>> type(small.output_head).__name__, small.output_head.weight is small.token_embedding.weight
    ('Linear', True)
    """
    names = linear_layers_to_quantize(model)
    quantized = copy.deepcopy(model)  # deepcopy keeps shared tables shared: the tie survives
    for name in names:
        parent_name, _, child_name = name.rpartition(".")
        parent = quantized.get_submodule(parent_name)
        setattr(parent, child_name, QuantizedLinear.from_linear(getattr(parent, child_name)))
    return quantized


# ------------------------------------------------------------------------------ on disk


def tensors_to_save(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's tensors by name, each stored once: a table shared by two names (the tied head) is kept
    under its first name only, as checkpoint.py does."""
    tensors: dict[str, torch.Tensor] = {}
    seen: set[tuple[int, tuple[int, ...]]] = set()
    for name, tensor in model.state_dict().items():
        key = (tensor.data_ptr(), tuple(tensor.shape))
        if key not in seen:
            seen.add(key)
            tensors[name] = tensor
    return tensors


def save_weights(path: str | Path, model: nn.Module) -> Path:
    """Write a model's tensors (float or int8) as safetensors, atomically. int8 tensors take 1 byte a number."""
    return save_tensors(path, tensors_to_save(model), metadata={"int8_scheme": "per-row absmax, scale = max|w| / 127"})


def load_quantized(path: str | Path, float_model: nn.Module) -> nn.Module:
    """Load a file written by save_weights(quantize_model(...)) into the shape of `float_model`.

    `float_model` only gives the shapes (e.g. MiniGPT(config)); its own numbers are replaced.
    """
    quantized = quantize_model(float_model)
    saved = load_tensors(path, what="int8 weights", how_to_make="Run quantize_step.py to make them.")
    missing, unexpected = quantized.load_state_dict(saved, strict=False)
    shared = set(quantized.state_dict()) - set(tensors_to_save(quantized))  # not stored: a second name for a table
    if unexpected or set(missing) - shared:
        raise ValueError(f"the int8 file does not fit the model: missing {sorted(set(missing) - shared)}, "
                         f"unexpected {sorted(unexpected)}")
    return quantized


# ------------------------------------------------------------------------------ how much did it change?


@dataclass
class WeightError:
    """How far one layer's weights moved when they became int8."""

    name: str
    numbers: int  # how many weights the layer has
    max_error: float  # the largest |w - w'|
    mean_error: float  # the average |w - w'|
    relative_error: float  # size of all the changes / size of the weights (root of the sums of squares)
    worst_share_of_half_step: float  # max over weights of |w - w'| / (scale / 2): at most 1, by construction


def dequantization_errors(float_model: nn.Module, quantized_model: nn.Module) -> list[WeightError]:
    """One WeightError per QuantizedLinear in `quantized_model`, against the same layer of `float_model`.

    >>> layer = nn.Sequential(nn.Linear(8, 4))
    >>> [error] = dequantization_errors(layer, quantize_model(layer))
    >>> error.name, error.numbers, error.worst_share_of_half_step <= 1.0
    ('0', 32, True)
    """
    errors = []
    for name, module in quantized_model.named_modules():
        if not isinstance(module, QuantizedLinear):
            continue
        weight = float_model.get_submodule(name).weight.detach().float()
        difference = (weight - module.dequantized_weight()).abs()
        errors.append(WeightError(
            name=name,
            numbers=weight.numel(),
            max_error=float(difference.max()),
            mean_error=float(difference.mean()),
            relative_error=float(difference.norm() / weight.norm().clamp_min(1e-12)),
            worst_share_of_half_step=float((difference / (module.scale / 2)).max()),
        ))
    return errors


def overall_relative_error(errors: list[WeightError], float_model: nn.Module) -> float:
    """The relative error of all quantised weights together: sqrt(sum of squared changes / sum of squared weights)."""
    changed = weights = 0.0
    for error in errors:
        norm = float(float_model.get_submodule(error.name).weight.detach().float().norm())
        changed += (error.relative_error * norm) ** 2
        weights += norm**2
    return math.sqrt(changed / weights) if weights else 0.0


# ------------------------------------------------------------------------------ PyTorch's own int8 layers


def pytorch_dynamic_int8(model: nn.Module) -> tuple[nn.Module | None, str]:
    """PyTorch's dynamic quantisation of the same Linear layers -> (a quantised copy, "") or (None, why not).

    `torch.ao.quantization.quantize_dynamic` stores each weight row as int8 too (per_channel_dynamic_qconfig:
    one scale per row, like ours, but a step of max|w| / 127.5), and *also* turns each layer's input into
    8-bit numbers on the fly, so the multiply itself is done with whole numbers. PyTorch has marked it as
    deprecated and will remove it, so where it is gone (or refuses to run) we say so instead of failing.
    """
    try:
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
    except ImportError:
        return None, f"this PyTorch ({torch.__version__}) no longer has torch.ao.quantization.quantize_dynamic"
    plan = {name: per_channel_dynamic_qconfig for name in linear_layers_to_quantize(model)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its deprecation notices are for PyTorch developers, not for learners
        try:
            quantized = quantize_dynamic(model, plan, dtype=torch.qint8)
            first = quantized.get_submodule(next(iter(plan))) if plan else None
            if first is not None:  # one tiny call, so a missing int8 engine shows up here and not later
                first(torch.zeros(1, first.in_features))
        except Exception as problem:  # deprecated code paths fail in many ways: report, do not crash
            return None, f"PyTorch's quantize_dynamic did not run here ({type(problem).__name__}: {problem})"
    return quantized, ""
