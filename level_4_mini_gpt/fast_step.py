"""One new token through the model, with as few PyTorch operations as possible: generation's inner loop.

With the KV cache, `MiniGPT.forward(new_ids, cache=caches)` does the work of one position per new token.
For a model our size that work is tiny, and on a CPU the step then costs mostly the fixed price of every
PyTorch operation and every module call (a few microseconds each, around a hundred of them per token).
`OneTokenStep` computes exactly the same numbers with fewer of them:

- the weights of every layer are looked up once, when generation starts, not again for every token;
- the token is one vector of n_embd numbers, not a batch of one sequence of length one, so each Linear is
  a single matrix-times-vector product and no reshaping is needed around it;
- its key and value go into the cache with one copy (LayerCache keeps keys and values side by side);
- dropout is skipped: generation runs with the model in eval mode, where dropout does nothing.

It is a second way to write the same sums, so tests/level_4/test_fast_step.py checks it gives the same
scores as `forward` for every design (GPT-2, RoPE, RMSNorm, SwiGLU, grouped-query attention).
benchmarks/level4_generate.py measures what it saves.

>>> from level_4_mini_gpt.model import GPTConfig, LayerCache, MiniGPT
>>> model = MiniGPT(GPTConfig(vocab_size=5, block_size=8, n_layer=1, n_head=2, n_embd=8)).eval()
>>> caches = [LayerCache(8)]
>>> with torch.inference_mode():
...     _ = model(torch.tensor([[1, 2]]), cache=caches)       # the prompt, the usual way
...     fast = OneTokenStep(model)(3, caches)                  # one more token, the quick way
...     slow, _ = model(torch.tensor([[1, 2, 3]]))             # everything again, for comparison
>>> torch.allclose(fast, slow[0, -1], atol=1e-5), caches[0].length
(True, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.nn import functional as F

from level_4_mini_gpt.modern import RotaryPositions, SwiGLU, repeat_heads

if TYPE_CHECKING:
    from level_4_mini_gpt.model import Block, LayerCache, MiniGPT


Vector = Callable[[torch.Tensor], torch.Tensor]  # one vector in, one vector out


def linear(layer: nn.Module) -> Vector:
    """A Linear layer as a function of one vector: one matrix-times-vector product, with the bias in the same
    operation. A layer that only acts like a Linear (quantize.py's int8 ones, say) is called on a batch of one."""
    if type(layer) is nn.Linear:  # exactly a Linear: a subclass may compute something else
        return partial(torch.addmv, layer.bias, layer.weight) if layer.bias is not None else partial(torch.mv, layer.weight)
    return lambda x: layer(x.view(1, -1)).view(-1)


def norm(layer: nn.Module) -> Vector:
    """The norm as one function: LayerNorm as one call of its function; RMSNorm (modern.py) as it is."""
    if isinstance(layer, nn.LayerNorm):
        return partial(F.layer_norm, normalized_shape=layer.normalized_shape, weight=layer.weight, bias=layer.bias,
                       eps=layer.eps)
    return layer


def feed_forward(layer: nn.Module) -> Vector:
    """The block's feed-forward network for one vector, without its dropout: GPT-2's (GELU) or SwiGLU."""
    expand, project = linear(layer.expand), linear(layer.project)
    if isinstance(layer, SwiGLU):
        gate = linear(layer.gate)
        return lambda x: project(F.silu(gate(x)) * expand(x))
    approximate = layer.activation.approximate  # GELU exactly as the model's own
    return lambda x: project(F.gelu(expand(x), approximate=approximate))


@dataclass
class Layer:
    """One block's parts, each looked up once."""

    attention_norm: Vector
    query_key_value: Vector
    rotary: RotaryPositions | None
    output_projection: Vector
    feed_forward_norm: Vector
    feed_forward: Vector

    @classmethod
    def of(cls, block: Block) -> "Layer":
        attention = block.attention
        return cls(norm(block.attention_norm), linear(attention.query_key_value), attention.rotary,
                   linear(attention.output_projection), norm(block.feed_forward_norm), feed_forward(block.feed_forward))


class OneTokenStep:
    """Called with a token id and the caches: the scores (vocab,) for the token after it. Build one per text.

    The caches must already hold at least one position (the prompt goes through `forward` first) and have
    room for one more; the model must be in eval mode, with a batch of one.
    """

    def __init__(self, model: MiniGPT):
        config = model.config
        self.layers = [Layer.of(block) for block in model.blocks]  # type: ignore[arg-type]
        self.n_head, self.n_kv_head = config.n_head, config.kv_heads
        self.group = config.n_head // config.kv_heads  # query heads per key/value head
        self.head_size = config.n_embd // config.n_head
        self.tokens = model.token_embedding.weight
        self.positions = model.position_embedding.weight if config.position == "learned" else None
        self.final_norm, self.output_head = norm(model.final_norm), linear(model.output_head)

    def __call__(self, token: int, caches: list[LayerCache]) -> torch.Tensor:
        position = caches[0].length  # where the new token stands: after the cached ones
        x = self.tokens[token]
        if self.positions is not None:
            x = x + self.positions[position]
        for layer, cache in zip(self.layers, caches):
            x = x + self.attend(layer, layer.attention_norm(x), cache, position)
            x = x + layer.feed_forward(layer.feed_forward_norm(x))
        return self.output_head(self.final_norm(x))

    def attend(self, layer: Layer, x: torch.Tensor, cache: LayerCache, position: int) -> torch.Tensor:
        """CausalSelfAttention for one new position: its query looks at every cached key, and its own."""
        # (all heads * head size,) -> (1, all heads, 1, head size): each head's numbers for the one position
        heads = layer.query_key_value(x).view(1, -1, 1, self.head_size)
        query, keys_values = heads[:, : self.n_head], heads[:, self.n_head :]
        assert cache.keys_values is not None and cache.keys is not None and cache.values is not None
        end = position + 1
        if layer.rotary is None:
            cache.keys_values[:, :, position:end] = keys_values  # the new key and value, with one copy
        else:  # RoPE: the query and the key are turned by the angle of this position first
            query = layer.rotary(query, position)
            cache.keys[:, :, position:end] = layer.rotary(keys_values[:, : self.n_kv_head], position)
            cache.values[:, :, position:end] = keys_values[:, self.n_kv_head :]
        cache.length = end
        keys, values = cache.keys[:, :, :end], cache.values[:, :, :end]
        if self.group > 1:  # grouped-query attention: each key/value head serves `group` query heads
            keys, values = repeat_heads(keys, self.group), repeat_heads(values, self.group)
        output = F.scaled_dot_product_attention(query, keys, values)  # one query: it may see every key
        return layer.output_projection(output.view(-1))
