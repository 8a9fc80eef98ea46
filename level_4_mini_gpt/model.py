"""A GPT, the same design as GPT-2, small enough to train on a laptop in minutes.

The whole model is in this one file, one class per idea, so you can read it top to bottom:

    GPTConfig            the sizes: how many characters it knows, how far back it looks, how big it is
    CausalSelfAttention  each character looks back at earlier characters (never forward)
    Block                attention + feed-forward network, each with LayerNorm before it and a shortcut around it
    MiniGPT              embeddings -> blocks -> final LayerNorm -> a score for every possible next character

and then generation: `next_token_distribution` (temperature, top-k, top-p) and `MiniGPT.stream` (one token
id at a time, with a key/value cache). Turning ids into text (seeds, stop strings) is text.py's job.

Four settings swap a GPT-2 part for the one newer models (LLaMA and others) use; their defaults are GPT-2.
The new parts are in modern.py; here each is chosen in a line or two next to the GPT-2 version:

    position="rope"   rotary positions instead of a learned table of positions
    norm="rms"        RMSNorm instead of LayerNorm
    mlp="swiglu"      a gated feed-forward network instead of GELU
    n_kv_head=k       grouped-query attention: k key/value heads shared by the n_head query heads

The pieces were built by hand in Level 3; here we use PyTorch's fast versions of the same ideas
(`F.scaled_dot_product_attention` is Level 3's attention in one fused, memory-saving call) and reuse
Level 3's `FeedForward` as it is. tests/level_4/test_model.py checks this model against Hugging Face's GPT-2
and against Level 3's hand-written attention.

    >>> config = GPTConfig(vocab_size=10, block_size=8, n_layer=2, n_head=2, n_embd=16)
    >>> model = MiniGPT(config)
    >>> logits, loss = model(torch.zeros(3, 8, dtype=torch.long))
    >>> logits.shape
    torch.Size([3, 8, 10])
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from buildai.errors import UserError
from level_3_transformer.step3_transformer_block import FeedForward
from level_4_mini_gpt.fast_step import OneTokenStep
from level_4_mini_gpt.modern import RMSNorm, RotaryPositions, SwiGLU, repeat_heads, swiglu_hidden_size

# The choices of the three design settings; the first of each is GPT-2's (the default).
POSITIONS = ("learned", "rope")
NORMS = ("layer", "rms")
MLPS = ("gelu", "swiglu")


@dataclass
class GPTConfig:
    vocab_size: int
    block_size: int = 128  # context length in characters: how far back the model can look
    n_layer: int = 4  # how many blocks are stacked
    n_head: int = 4  # attention heads per block; each head gets n_embd / n_head numbers
    n_embd: int = 128  # numbers per position (the "embedding size")
    dropout: float = 0.0  # share of numbers randomly zeroed while training (fights memorising)
    bias: bool = True  # biases in the Linear layers and LayerNorms (GPT-2 has them)
    # The design: GPT-2's by default (see modern.py for the newer choices).
    position: str = "learned"  # "learned" (a table, GPT-2) or "rope" (rotary: turn queries and keys by position)
    norm: str = "layer"  # "layer" (LayerNorm, GPT-2) or "rms" (RMSNorm: rescale only)
    mlp: str = "gelu"  # "gelu" (GPT-2) or "swiglu" (a gated feed-forward network)
    n_kv_head: int | None = None  # key/value heads; None = n_head. Fewer: grouped-query attention, a smaller cache

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head != 0:
            raise UserError(
                f"The embedding size ({self.n_embd}) must divide evenly among the heads ({self.n_head}), "
                f"so every head gets the same number of values. Try --n-embd {self.n_head * 32} or another --n-head."
            )
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            if getattr(self, name) < 1:
                raise UserError(f"The model setting {name} must be at least 1 (it is {getattr(self, name)}).")
        if not 0.0 <= self.dropout < 1.0:
            raise UserError(f"Dropout must be between 0 and 1, e.g. 0.1 (it is {self.dropout}).")
        for name, choices in (("position", POSITIONS), ("norm", NORMS), ("mlp", MLPS)):
            if getattr(self, name) not in choices:
                raise UserError(f"The model setting {name} must be one of {', '.join(choices)} "
                                f"(it is {getattr(self, name)!r}). Try --{name} {choices[0]}.")
        head_size = self.n_embd // self.n_head
        if self.position == "rope" and head_size % 2 != 0:
            raise UserError(f"Rotary positions turn each head's numbers in pairs, so each head needs an even number "
                            f"of them (it has {self.n_embd} / {self.n_head} = {head_size}). "
                            f"Try --n-embd {self.n_head * (head_size + 1)}.")
        kv_heads = self.kv_heads
        if kv_heads < 1 or self.n_head % kv_heads != 0:
            fitting = ", ".join(str(count) for count in range(1, self.n_head + 1) if self.n_head % count == 0)
            raise UserError(f"Each key/value head is shared by the same number of query heads, so n_head "
                            f"({self.n_head}) must be a multiple of n_kv_head ({kv_heads}). "
                            f"Try --n-kv-head with one of {fitting}.")

    @property
    def kv_heads(self) -> int:
        """How many key/value heads each attention layer has (n_head unless grouped-query attention is on)."""
        return self.n_head if self.n_kv_head is None else self.n_kv_head

    def modern_parts(self) -> list[str]:
        """The settings that differ from GPT-2's design, in words (empty for a GPT-2).

        >>> GPTConfig(vocab_size=5).modern_parts()
        []
        >>> GPTConfig(vocab_size=5, norm="rms", n_kv_head=2).modern_parts()
        ['norm=rms', 'n_kv_head=2']
        """
        parts = [f"{name}={getattr(self, name)}" for name, choices in
                 (("position", POSITIONS), ("norm", NORMS), ("mlp", MLPS)) if getattr(self, name) != choices[0]]
        return parts + ([f"n_kv_head={self.n_kv_head}"] if self.kv_heads != self.n_head else [])


class LayerCache:
    """The keys and values one attention layer has already computed, so a new token need not redo them.

    During generation every new token attends to all earlier ones. Their keys and values never change
    (a token cannot see the future, so later tokens do not affect it), so we keep them here and compute
    keys and values only for the new token. Room for the whole window is set aside once, on first use,
    and each new token's keys and values are written into the next free slot: no copying of the old ones.
    """

    def __init__(self, max_length: int):
        self.max_length = max_length  # the model's block_size: the cache never holds more positions
        self.length = 0  # how many positions are filled
        # (batch, 2 * key/value heads, max_length, head size) once allocated: the keys' heads, then the values',
        # in the order query_key_value makes them, so one token's can be stored with one copy (fast_step.py).
        self.keys_values: torch.Tensor | None = None
        self.keys: torch.Tensor | None = None  # the first half of keys_values (a view: no memory of its own)
        self.values: torch.Tensor | None = None  # the second half

    def add(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new positions' keys and values; return those of every position so far (old and new)."""
        if self.keys is None or self.values is None or self.keys.shape[0] != keys.shape[0]:
            batch, heads, _, head_size = keys.shape
            self.keys_values = keys.new_empty(batch, 2 * heads, self.max_length, head_size)
            self.keys, self.values = self.keys_values.split(heads, dim=1)
        start, end = self.length, self.length + keys.shape[2]
        self.keys[:, :, start:end] = keys  # written in place
        self.values[:, :, start:end] = values
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]  # views, not copies

    def clear(self) -> None:
        """Forget every position (the room stays set aside for the next ones)."""
        self.length = 0


class CausalSelfAttention(nn.Module):
    """Multi-head attention where each position may look only at itself and earlier positions."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.n_kv_head = config.kv_heads  # = n_head, unless grouped-query attention shares keys and values
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        head_size = config.n_embd // config.n_head
        # One Linear makes the query, key and value for every head at once (3 * n_embd numbers per position,
        # fewer with shared key/value heads): one big matrix multiply is faster than many small ones.
        self.query_key_value = nn.Linear(config.n_embd, (config.n_head + 2 * self.n_kv_head) * head_size,
                                         bias=config.bias)
        # GPT-2 adds positions to the input once (MiniGPT.position_embedding); RoPE turns queries and keys here.
        self.rotary = RotaryPositions(head_size, config.block_size) if config.position == "rope" else None
        # Mixes what the heads found back into one vector per position.
        self.output_projection = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.output_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, cache: LayerCache | None = None) -> torch.Tensor:
        batch, length, channels = x.shape
        # The Linear's outputs are [query | key | value], cut into slices of head_size, one per head:
        # (batch, length, all heads * head size) -> (batch, all heads, length, head size), so each head works on
        # its own slice; then the first n_head heads are the queries, and n_kv_head each the keys and the values.
        # (One view and one transpose instead of three reshapes: fewer operations for every token.)
        head_size = channels // self.n_head
        all_heads = self.n_head + 2 * self.n_kv_head
        heads = self.query_key_value(x).view(batch, length, all_heads, head_size).transpose(1, 2)
        query, key, value = heads.split([self.n_head, self.n_kv_head, self.n_kv_head], dim=1)
        past_length = cache.length if cache is not None else 0
        if self.rotary is not None:  # turned by where they stand: the new positions come after the cached ones
            query, key = self.rotary(query, past_length), self.rotary(key, past_length)
        if cache is not None:
            key, value = cache.add(key, value)  # now the keys/values of every position so far (n_kv_head of them)
        # Grouped-query attention: each key/value head serves n_head / n_kv_head query heads.
        group = self.n_head // self.n_kv_head
        key, value = repeat_heads(key, group), repeat_heads(value, group)
        # F.scaled_dot_product_attention is Level 3's attention -- softmax(query . key / sqrt(head size)) times
        # value -- in one fused call that never stores the whole table of scores: faster, and less memory.
        dropout = self.dropout if self.training else 0.0
        if past_length == 0:
            # The usual case (training, or the first pass over a prompt): a plain causal mask.
            output = F.scaled_dot_product_attention(query, key, value, dropout_p=dropout, is_causal=True)
        else:
            # New positions come after `past_length` cached ones: new position i may see keys 0 .. past_length + i.
            # A single new token may see everything, so it needs no mask at all.
            mask = None
            if length > 1:
                mask = torch.ones(length, past_length + length, dtype=torch.bool, device=x.device).tril(past_length)
            output = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=dropout)
        # Put the heads side by side again: (batch, heads, length, head size) -> (batch, length, n_embd).
        output = output.transpose(1, 2).contiguous().view(batch, length, channels)
        return self.output_dropout(self.output_projection(output))


class Block(nn.Module):
    """One transformer block, GPT-2 style ("pre-norm"): x + attention(norm(x)), then x + feed_forward(norm(x)).

    The `x + ...` shortcuts (residual connections) let each block add a small correction to what flows
    through, and give gradients a straight road back to the first layers, so deep stacks still train.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.attention_norm = make_norm(config)
        self.attention = CausalSelfAttention(config)
        self.feed_forward_norm = make_norm(config)
        self.feed_forward = make_feed_forward(config)

    def forward(self, x: torch.Tensor, cache: LayerCache | None = None) -> torch.Tensor:
        x = x + self.attention(self.attention_norm(x), cache)
        x = x + self.feed_forward(self.feed_forward_norm(x))
        return x


def make_norm(config: GPTConfig) -> nn.Module:
    """GPT-2's LayerNorm (shift to mean 0, scale to size 1, learned stretch and shift), or RMSNorm (scale only)."""
    if config.norm == "rms":
        return RMSNorm(config.n_embd)
    return nn.LayerNorm(config.n_embd, bias=config.bias)


def make_feed_forward(config: GPTConfig) -> nn.Module:
    """Level 3's feed-forward network, 4 times wider than n_embd as in GPT-2; or a gated SwiGLU of about its size."""
    if config.mlp == "swiglu":
        return SwiGLU(config.n_embd, swiglu_hidden_size(config.n_embd), dropout=config.dropout, bias=config.bias)
    feed_forward = FeedForward(config.n_embd, 4 * config.n_embd, dropout=config.dropout)
    if not config.bias:
        feed_forward.expand.register_parameter("bias", None)
        feed_forward.project.register_parameter("bias", None)
    return feed_forward


class MiniGPT(nn.Module):
    """The language model: character ids in, a score (logit) for every possible next character out."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)  # what each character means
        if config.position == "learned":  # where it stands (with RoPE, attention itself knows: no table)
            self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.embedding_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.final_norm = make_norm(config)
        self.output_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying: reading a character in and scoring it as the next character use one table.
        # Characters that are used alike get alike rows, and the model has vocab * n_embd fewer numbers to learn.
        self.output_head.weight = self.token_embedding.weight

        self.apply(self._init_weights)
        # GPT-2's trick: every block *adds* its attention and feed-forward outputs to the residual stream,
        # 2 * n_layer additions in all. Shrinking the last Linear of each by 1/sqrt(2 * n_layer) keeps the
        # stream's size steady at the start of training however many blocks there are.
        residual_std = 0.02 / math.sqrt(2 * config.n_layer)
        for block in self.blocks:
            nn.init.normal_(block.attention.output_projection.weight, mean=0.0, std=residual_std)
            nn.init.normal_(block.feed_forward.project.weight, mean=0.0, std=residual_std)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """GPT-2's starting point: small random weights N(0, 0.02), biases 0 (LayerNorm keeps 1 and 0)."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def parameter_count(self) -> int:
        """How many numbers the model learns (the tied output table counted once)."""
        return sum(parameter.numel() for parameter in self.parameters())

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None, cache: list[LayerCache] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """idx (batch, length) of character ids -> logits (batch, length, vocab), and the mean
        cross-entropy loss against `targets` (the next characters) when given.

        With `cache` (one LayerCache per block) `idx` holds only the new positions: the earlier ones are
        already in the cache, and the new ones are numbered after them.
        """
        batch, length = idx.shape
        start = cache[0].length if cache else 0
        if start + length > self.config.block_size:
            raise ValueError(f"sequence of {start + length} tokens is longer than block_size {self.config.block_size}")
        x = self.token_embedding(idx)
        if self.config.position == "learned":
            # Positions start, ..., start + length - 1 are rows of the position table: a slice, no lookup needed.
            x = x + self.position_embedding.weight[start : start + length]
        x = self.embedding_dropout(x)
        for index, block in enumerate(self.blocks):
            x = block(x, cache[index] if cache else None)
        logits = self.output_head(self.final_norm(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    @torch.inference_mode()  # no gradients, and less bookkeeping per operation than torch.no_grad()
    def stream(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        settings: SamplingSettings,
        generator: torch.Generator | None = None,
        use_cache: bool = True,
    ) -> Iterator[tuple[int, torch.Tensor]]:
        """Yield (token id, the probabilities it was drawn from), one new token at a time.

        The model sees at most block_size tokens (its "window"). When the window is full, it moves on:
        it keeps the most recent half and continues from there. With `use_cache`, the keys and values of
        the window are kept (see LayerCache), so each new token costs one position instead of the whole
        window; the cache is rebuilt only when the window moves. Without the cache, the whole window is
        recomputed for every token -- the same numbers, much more work (benchmarks/level4_generate.py).
        """
        if not prompt_ids:
            raise ValueError("stream() needs at least one prompt token")
        settings.check()
        block_size = self.config.block_size
        keep_when_full = max(1, block_size // 2)
        device = next(self.parameters()).device
        window = list(prompt_ids[-block_size:])  # the tokens the model can see now
        cache = [LayerCache(block_size) for _ in self.blocks] if use_cache else None
        # With the cache, a single new token takes a quicker road through the same sums (fast_step.py).
        # (A model in training mode keeps the general one: fast_step leaves out dropout.)
        one_token = OneTokenStep(self) if use_cache and not self.training else None
        pending = torch.tensor([window], device=device)  # what must go through the model first: (1, length)
        token = window[-1]  # the newest token: after the prompt, each step's input is the one just written

        for _ in range(max_new_tokens):
            if cache is None:  # no cache: the whole window again, every time
                logits = self(torch.tensor([window], device=device))[0][0, -1]
            elif pending is None and one_token is not None:  # just the newest token, on the quick road
                logits = one_token(token, cache)
            else:  # the prompt (or the kept half of a full window), or a model in training mode
                new_ids = pending if pending is not None else torch.tensor([[token]], device=device)
                logits = self(new_ids, cache=cache)[0][0, -1]
                pending = None
            # Sampling happens on the CPU (a GPU would wait for this one number anyway), with the caller's generator.
            # (.cpu() of a tensor already on the CPU is the tensor itself: no copy.)
            probabilities = next_token_distribution(logits.cpu(), settings)
            token = int(torch.multinomial(probabilities, 1, generator=generator))
            yield token, probabilities

            if len(window) < block_size:
                window.append(token)
            else:  # full: keep the most recent tokens and rebuild the cache from them
                window = (window + [token])[-keep_when_full:]
                pending = torch.tensor([window], device=device)
                for layer_cache in cache or ():
                    layer_cache.clear()


@dataclass
class SamplingSettings:
    temperature: float = 1.0  # 0 or very small means greedy (always the favourite)
    top_k: int | None = None  # keep only the k most likely characters
    top_p: float | None = None  # keep the most likely characters until their probabilities add up to p

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """A clear message for settings that make no sense (they can be changed after creation, e.g. in a REPL)."""
        if self.temperature < 0 or not math.isfinite(self.temperature):
            raise UserError(f"The temperature must be 0 or more (you gave {self.temperature}). Try 0.8.")
        if self.top_k is not None and self.top_k < 1:
            raise UserError(f"top-k must be at least 1 (you gave {self.top_k}). Try 20, or leave it out.")
        if self.top_p is not None and not 0.0 < self.top_p <= 1.0:
            raise UserError(f"top-p must be above 0 and at most 1 (you gave {self.top_p}). Try 0.9.")


GREEDY_TEMPERATURE = 1e-4  # below this, dividing by the temperature would overflow: just take the favourite


def next_token_distribution(logits: torch.Tensor, settings: SamplingSettings) -> torch.Tensor:
    """Scores (vocab,) -> the probabilities we sample from: temperature, then top-k, then top-p.

    Characters outside the kept set get probability exactly 0 and the rest are renormalised to add up to 1.

    >>> logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    >>> next_token_distribution(logits, SamplingSettings(temperature=1.0)).round(decimals=3)
    tensor([0.6440, 0.2370, 0.0870, 0.0320])
    >>> next_token_distribution(logits, SamplingSettings(temperature=1.0, top_k=2)).round(decimals=3)
    tensor([0.7310, 0.2690, 0.0000, 0.0000])
    >>> next_token_distribution(logits, SamplingSettings(temperature=0))  # greedy
    tensor([1., 0., 0., 0.])
    """
    logits = logits.detach().float().reshape(-1)
    if settings.temperature < GREEDY_TEMPERATURE:
        greedy = torch.zeros_like(logits)
        greedy[torch.argmax(logits)] = 1.0
        return greedy
    # Temperature: below 1 sharpens the favourites (safer text), above 1 evens the choices out (wilder text).
    logits = logits / settings.temperature
    if settings.top_k is not None and settings.top_k < logits.numel():
        kth_best = torch.topk(logits, settings.top_k).values[-1]
        logits = logits.masked_fill(logits < kth_best, float("-inf"))  # softmax turns -inf into exactly 0
    probabilities = torch.softmax(logits, dim=-1)
    if settings.top_p is not None and settings.top_p < 1.0:
        # Nucleus: walk down from the most likely character, keeping characters until their total reaches p.
        sorted_probabilities, order = torch.sort(probabilities, descending=True)
        total_before = torch.cumsum(sorted_probabilities, dim=0) - sorted_probabilities
        drop_sorted = total_before >= settings.top_p  # already enough without this one (the first is always kept)
        probabilities = probabilities.masked_fill(drop_sorted.scatter(0, order, drop_sorted), 0.0)
        probabilities = probabilities / probabilities.sum()
    return probabilities
