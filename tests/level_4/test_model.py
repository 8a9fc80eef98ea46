"""Level 4 model: checked against Hugging Face's GPT-2, Level 3's hand-written attention, and brute force."""

from __future__ import annotations

import math

import pytest
import torch

from buildai.errors import UserError
from buildai.tokenizer import CharTokenizer
from level_3_transformer.step2_attention import scaled_dot_product_attention
from level_3_transformer.step3_transformer_block import FeedForward
from level_4_mini_gpt.model import (
    CausalSelfAttention,
    GPTConfig,
    LayerCache,
    MiniGPT,
    SamplingSettings,
    next_token_distribution,
)
from level_4_mini_gpt.text import stream_text


def small_model(seed: int = 0, **overrides) -> MiniGPT:
    torch.manual_seed(seed)
    settings = dict(vocab_size=23, block_size=16, n_layer=2, n_head=4, n_embd=32)
    settings.update(overrides)
    return MiniGPT(GPTConfig(**settings)).eval()


def randomise(model: torch.nn.Module, seed: int = 1) -> None:
    """Give every number (LayerNorms and biases too) a random value, so no 0 or 1 can hide a mistake."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)


# --------------------------------------------------------------------------- the forward pass


def test_changing_a_later_token_never_changes_earlier_logits():
    model = small_model()
    randomise(model)
    idx = torch.randint(23, (2, 16), generator=torch.Generator().manual_seed(3))
    logits, _ = model(idx)
    for position in (0, 5, 15):
        changed = idx.clone()
        changed[:, position:] = (changed[:, position:] + 7) % 23
        changed_logits, _ = model(changed)
        assert torch.equal(changed_logits[:, :position], logits[:, :position])
        assert not torch.allclose(changed_logits[:, position:], logits[:, position:])  # the change is visible later


def test_initial_loss_is_about_log_vocabulary_size():
    """An untrained GPT-2-style model guesses nearly uniformly: loss ~ ln(vocab)."""
    for vocab_size in (23, 72, 200):
        model = small_model(vocab_size=vocab_size, n_embd=64, block_size=32).train()
        idx = torch.randint(vocab_size, (8, 32), generator=torch.Generator().manual_seed(0))
        targets = torch.randint(vocab_size, (8, 32), generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            _, loss = model(idx, targets)
        assert abs(float(loss) - math.log(vocab_size)) < 0.1


def test_loss_is_cross_entropy_of_the_logits():
    model = small_model()
    idx = torch.randint(23, (3, 10))
    targets = torch.randint(23, (3, 10))
    logits, loss = model(idx, targets)
    manual = -torch.log_softmax(logits, dim=-1).gather(2, targets[..., None]).mean()
    assert torch.allclose(loss, manual, atol=1e-6)
    assert model(idx)[1] is None


def test_gpt2_initialisation_and_weight_tying():
    model = small_model(n_layer=6, n_embd=128, vocab_size=50)
    assert model.output_head.weight is model.token_embedding.weight
    residual = torch.cat([
        torch.cat([block.attention.output_projection.weight.flatten(), block.feed_forward.project.weight.flatten()])
        for block in model.blocks
    ])
    assert residual.std().item() == pytest.approx(0.02 / math.sqrt(12), rel=0.05)
    assert model.blocks[0].attention.query_key_value.weight.std().item() == pytest.approx(0.02, rel=0.05)
    assert model.position_embedding.weight.std().item() == pytest.approx(0.02, rel=0.05)
    assert all(not block.attention.query_key_value.bias.any() for block in model.blocks)
    # the tied table is counted once
    assert model.parameter_count() == sum(p.numel() for p in set(model.parameters()))


def test_block_uses_level_3_feed_forward():
    model = small_model()
    feed_forward = model.blocks[0].feed_forward
    assert isinstance(feed_forward, FeedForward)
    assert feed_forward.expand.out_features == 4 * 32


def test_model_without_biases():
    model = small_model(bias=False)
    assert not any(name.endswith("bias") for name, _ in model.named_parameters())
    logits, _ = model(torch.zeros(1, 5, dtype=torch.long))
    assert logits.shape == (1, 5, 23)


def test_bad_sizes_are_user_errors():
    with pytest.raises(UserError, match="divide evenly"):
        GPTConfig(vocab_size=10, n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="longer than block_size"):
        small_model()(torch.zeros(1, 17, dtype=torch.long))


# --------------------------------------------------------------------------------- oracles


# Our name for each part of a block, and GPT-2's (Hugging Face's) name for the same part.
BLOCK_PART_NAMES = [
    ("attention_norm", "ln_1"), ("attention.query_key_value", "attn.c_attn"),
    ("attention.output_projection", "attn.c_proj"), ("feed_forward_norm", "ln_2"),
    ("feed_forward.expand", "mlp.c_fc"), ("feed_forward.project", "mlp.c_proj"),
]


def copy_gpt2_weights(hugging_face: torch.nn.Module, model: MiniGPT) -> None:
    """GPT-2 stores its Linear layers as 'Conv1D' with the weight transposed (in, out) -- we store (out, in)."""
    weights = hugging_face.state_dict()
    own = {
        "token_embedding.weight": "transformer.wte.weight",
        "position_embedding.weight": "transformer.wpe.weight",
        "final_norm.weight": "transformer.ln_f.weight",
        "final_norm.bias": "transformer.ln_f.bias",
    }
    for index in range(len(model.blocks)):
        for ours, theirs in BLOCK_PART_NAMES:
            for kind in ("weight", "bias"):
                own[f"blocks.{index}.{ours}.{kind}"] = f"transformer.h.{index}.{theirs}.{kind}"
    state = {}
    for ours_name, theirs_name in own.items():
        tensor = weights[theirs_name]
        is_conv1d = theirs_name.endswith("weight") and (".attn." in theirs_name or ".mlp." in theirs_name)
        state[ours_name] = tensor.t() if is_conv1d else tensor
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["output_head.weight"] and not unexpected  # the tied table comes with the embedding


@pytest.mark.parametrize("n_layer,n_head,n_embd", [(2, 4, 32), (3, 2, 48)])
def test_matches_hugging_face_gpt2(n_layer, n_head, n_embd, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import GPT2Config, GPT2LMHeadModel

    block_size, vocab_size = 16, 29
    torch.manual_seed(0)
    reference = GPT2LMHeadModel(GPT2Config(
        vocab_size=vocab_size, n_positions=block_size, n_embd=n_embd, n_layer=n_layer, n_head=n_head,
        activation_function="gelu",  # exact GELU, like ours (GPT-2 itself uses a tanh approximation)
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, layer_norm_epsilon=1e-5,
        bos_token_id=0, eos_token_id=0,
    )).eval()
    randomise(reference)
    model = small_model(vocab_size=vocab_size, block_size=block_size, n_layer=n_layer, n_head=n_head, n_embd=n_embd)
    copy_gpt2_weights(reference, model)
    idx = torch.randint(vocab_size, (3, block_size), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = reference(idx).logits
        logits, _ = model(idx)
    assert torch.allclose(logits, expected, atol=1e-5), (logits - expected).abs().max()


def level3_attention(attention: CausalSelfAttention, x: torch.Tensor) -> torch.Tensor:
    """The same layer computed with Level 3's hand-written attention (scores, mask, softmax, weighted sum)."""
    batch, length, channels = x.shape
    heads = attention.n_head
    query, key, value = attention.query_key_value(x).split(channels, dim=2)
    split = lambda tensor: tensor.view(batch, length, heads, channels // heads).transpose(1, 2)  # noqa: E731
    output, _ = scaled_dot_product_attention(split(query), split(key), split(value), causal=True)
    return attention.output_projection(output.transpose(1, 2).reshape(batch, length, channels))


def test_attention_matches_level_3_hand_written_attention():
    torch.manual_seed(0)
    attention = CausalSelfAttention(GPTConfig(vocab_size=5, n_head=4, n_embd=32)).eval()
    randomise(attention)
    x = torch.randn(2, 11, 32)
    with torch.no_grad():
        assert torch.allclose(attention(x), level3_attention(attention, x), atol=1e-5)
        # the cached path, several new positions at once, must give the same as well
        cache = LayerCache(11)
        first = attention(x[:, :4], cache)
        rest = attention(x[:, 4:], cache)
        assert torch.allclose(torch.cat([first, rest], dim=1), level3_attention(attention, x), atol=1e-5)


# ----------------------------------------------------------------------------- KV cache


def test_cache_gives_the_same_logits_as_the_whole_context():
    model = small_model()
    randomise(model)
    idx = torch.randint(23, (1, 16), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        full, _ = model(idx)
        cache = [LayerCache(model.config.block_size) for _ in model.blocks]
        pieces = [model(idx[:, :5], cache=cache)[0], model(idx[:, 5:9], cache=cache)[0]]
        pieces += [model(idx[:, position : position + 1], cache=cache)[0] for position in range(9, 16)]
    assert torch.allclose(torch.cat(pieces, dim=1), full, atol=1e-5)


@pytest.mark.parametrize("seed, sizes", [
    (0, dict(vocab_size=11, block_size=8, n_layer=1, n_head=1, n_embd=8)),
    (1, dict(vocab_size=23, block_size=16, n_layer=2, n_head=4, n_embd=32)),
    (2, dict(vocab_size=30, block_size=12, n_layer=3, n_head=2, n_embd=24, bias=False)),
])
def test_preallocated_cache_gives_the_logits_of_recomputing_while_the_window_moves(seed, sizes):
    """The cache is written in place and cleared when the window moves; a prompt longer than block_size
    is cropped first. Every step's logits must equal a fresh forward pass over the whole current window."""
    model = small_model(seed, **sizes)
    randomise(model, seed=seed + 10)
    block_size = sizes["block_size"]
    generator = torch.Generator().manual_seed(seed)
    prompt = torch.randint(sizes["vocab_size"], (block_size + 5,), generator=generator).tolist()
    window = prompt[-block_size:]
    cache = [LayerCache(block_size) for _ in model.blocks]
    new_ids = window
    with torch.no_grad():
        for _ in range(3 * block_size):  # the window moves at least twice
            cached, _ = model(torch.tensor([new_ids]), cache=cache)
            full, _ = model(torch.tensor([window]))
            assert cache[0].length == len(window)
            assert torch.allclose(cached[0, -1], full[0, -1], atol=1e-5)
            token = int(torch.randint(sizes["vocab_size"], (1,), generator=generator))
            if len(window) < block_size:
                window, new_ids = window + [token], [token]
            else:  # as MiniGPT.stream does: keep the last half, rebuild the cache
                window = (window + [token])[-(block_size // 2):]
                new_ids = window
                for layer_cache in cache:
                    layer_cache.clear()
        with pytest.raises(ValueError):  # the cache never grows past block_size
            model(torch.zeros(1, block_size - cache[0].length + 1, dtype=torch.long), cache=cache)


def sampled(model: MiniGPT, use_cache: bool, prompt: list[int], count: int, settings: SamplingSettings):
    tokens, probabilities = [], []
    generator = torch.Generator().manual_seed(11)
    for token, distribution in model.stream(prompt, count, settings, generator=generator, use_cache=use_cache):
        tokens.append(token)
        probabilities.append(distribution)
    return tokens, torch.stack(probabilities)


@pytest.mark.parametrize("prompt_length", [1, 7, 40])  # 40 > block_size: the prompt itself is cropped
def test_stream_with_cache_equals_recomputing_the_window(prompt_length):
    """Far past block_size (16), so the window moves (and the cache is rebuilt) several times."""
    model = small_model()
    randomise(model, seed=4)
    prompt = torch.randint(23, (prompt_length,), generator=torch.Generator().manual_seed(1)).tolist()
    settings = SamplingSettings(temperature=1.0)
    cached_tokens, cached_probabilities = sampled(model, True, prompt, 60, settings)
    plain_tokens, plain_probabilities = sampled(model, False, prompt, 60, settings)
    assert cached_tokens == plain_tokens
    assert torch.allclose(cached_probabilities, plain_probabilities, atol=1e-5)


def test_stream_probabilities_are_the_model_logits_of_its_window():
    """Independent of stream's own bookkeeping: the first block_size - len(prompt) + 1 tokens are predicted
    from the whole text so far (nothing cropped yet), so a plain forward pass must give the same numbers."""
    model = small_model()
    randomise(model, seed=6)
    prompt = [1, 2, 3]
    tokens, probabilities = sampled(model, True, prompt, 14, SamplingSettings())
    text = prompt + tokens
    with torch.no_grad():
        logits, _ = model(torch.tensor([text[:16]]))
    expected = torch.softmax(logits[0, len(prompt) - 1 : len(prompt) - 1 + 14], dim=-1)
    assert torch.allclose(probabilities, expected, atol=1e-5)


def test_stream_text_same_seed_same_text_with_and_without_cache():
    tokenizer = CharTokenizer.from_text("abcdefghij .\n")
    model = small_model(vocab_size=tokenizer.vocab_size)
    randomise(model, seed=8)
    settings = SamplingSettings(temperature=0.9, top_k=8)
    with_cache = "".join(stream_text(model, tokenizer, "abc", 50, settings, seed=3))
    without = "".join(stream_text(model, tokenizer, "abc", 50, settings, seed=3, use_cache=False))
    again = "".join(stream_text(model, tokenizer, "abc", 50, settings, seed=3))
    other_seed = "".join(stream_text(model, tokenizer, "abc", 50, settings, seed=4))
    assert len(with_cache) == 50
    assert with_cache == without == again
    assert other_seed != with_cache


# ------------------------------------------------------------------------------ sampling


def reference_distribution(logits: torch.Tensor, temperature: float, top_k: int | None, top_p: float | None):
    """Written independently: which characters are kept, then softmax(logits / T) renormalised over them."""
    probabilities = torch.softmax(logits / temperature, dim=-1)
    order = sorted(range(len(logits)), key=lambda index: -float(logits[index]))
    kept = order[:top_k] if top_k is not None else order
    if top_p is not None:
        restricted = probabilities[kept] / probabilities[kept].sum()
        total, nucleus = 0.0, []
        for index, share in zip(kept, restricted.tolist()):
            nucleus.append(index)
            total += share
            if total >= top_p:
                break
        kept = nucleus
    result = torch.zeros_like(probabilities)
    result[kept] = probabilities[kept] / probabilities[kept].sum()
    return result


@pytest.mark.parametrize("temperature", [0.3, 1.0, 1.7])
@pytest.mark.parametrize("top_k,top_p", [(None, None), (5, None), (None, 0.6), (8, 0.9), (1, None), (None, 1.0), (3, 0.05)])
def test_next_token_distribution_is_softmax_renormalised_over_the_kept_set(temperature, top_k, top_p):
    logits = torch.randn(30, generator=torch.Generator().manual_seed(int(temperature * 10) + (top_k or 0)))
    got = next_token_distribution(logits, SamplingSettings(temperature, top_k, top_p))
    expected = reference_distribution(logits, temperature, top_k, top_p)
    assert torch.allclose(got, expected, atol=1e-6)
    assert float(got.sum()) == pytest.approx(1.0, abs=1e-6)


def test_greedy_and_invalid_settings():
    logits = torch.tensor([0.5, 3.0, -1.0])
    assert next_token_distribution(logits, SamplingSettings(temperature=0)).tolist() == [0.0, 1.0, 0.0]
    for bad in (dict(temperature=-1.0), dict(top_k=0), dict(top_p=0.0), dict(top_p=1.5)):
        with pytest.raises(UserError):
            SamplingSettings(**bad)


# --------------------------------------------------------------------------- stream_text


@pytest.fixture(scope="module")
def chatty_model() -> tuple[MiniGPT, CharTokenizer]:
    tokenizer = CharTokenizer.from_text("ab c.\n")
    model = small_model(vocab_size=tokenizer.vocab_size, seed=2)
    randomise(model, seed=9)
    return model, tokenizer


@pytest.mark.parametrize("stop_length", [1, 2, 3])
def test_stop_string_ends_the_text_before_it(chatty_model, stop_length):
    model, tokenizer = chatty_model
    settings = SamplingSettings(temperature=1.5)
    full = "".join(stream_text(model, tokenizer, "a", 120, settings, seed=5))
    stop = full[40 : 40 + stop_length]  # a piece that certainly appears
    pieces = list(stream_text(model, tokenizer, "a", 120, settings, seed=5, stop=[stop, "never-there"]))
    assert "".join(pieces) == full[: full.index(stop)]
    assert all(piece for piece in pieces)


def test_unknown_prompt_characters_are_skipped(chatty_model):
    model, tokenizer = chatty_model
    settings = SamplingSettings()
    assert tokenizer.unknown_chars("aXb€") == ["X", "€"]
    with_unknown = "".join(stream_text(model, tokenizer, "aXb€", 20, settings, seed=1))
    assert with_unknown == "".join(stream_text(model, tokenizer, "ab", 20, settings, seed=1))
    assert len("".join(stream_text(model, tokenizer, "हिंदी", 5, settings, seed=1))) == 5  # nothing known: starts fresh
