"""Step 3.4: the mini-transformer's starting loss, learning, gradients, causality, batches and sampling."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from buildai.data import load_corpus
from buildai.errors import UserError
from buildai.tokenizer import CharTokenizer
from level_3_transformer.batches import get_batch
from level_3_transformer.parameter_count import count_parameters_by_part
from level_3_transformer.step4_put_it_together import MiniTransformer, estimate_loss, sample_next_token


@pytest.fixture(scope="module")
def corpus() -> tuple[CharTokenizer, torch.Tensor, torch.Tensor]:
    stories = load_corpus()
    return stories.tokenizer, torch.tensor(stories.train_ids), torch.tensor(stories.val_ids)


def small_model(vocab_size: int, causal: bool = True, seed: int = 0) -> MiniTransformer:
    torch.manual_seed(seed)
    return MiniTransformer(vocab_size, block_size=16, embed_size=32, num_layers=2, num_heads=4, causal=causal)


def train(model: nn.Module, data: torch.Tensor, block_size: int, batch_size: int, steps: int, learning_rate: float,
          generator: torch.Generator) -> None:
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    for _ in range(steps):
        inputs, targets = get_batch(data, block_size, batch_size, generator)
        _, loss = model(inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_initial_loss_is_ln_vocab_size_and_falls(corpus) -> None:  # type: ignore[no-untyped-def]
    tokenizer, train_data, validation_data = corpus
    model = small_model(tokenizer.vocab_size)
    generator = torch.Generator().manual_seed(0)
    initial = estimate_loss(model, validation_data, 16, 32, 5, generator)
    assert initial == pytest.approx(math.log(tokenizer.vocab_size), abs=0.1)
    train(model, train_data, block_size=16, batch_size=32, steps=60, learning_rate=3e-3, generator=generator)
    after = estimate_loss(model, validation_data, 16, 32, 5, generator)
    assert after < initial - 0.8  # from about 4.28 to below 3.5 in 60 steps


def test_without_the_mask_the_model_cheats(corpus) -> None:  # type: ignore[no-untyped-def]
    """The exercise in lesson.md: without the mask, each position can read the next character,
    so the loss drops far below what an honest model reaches in the same number of steps."""
    tokenizer, train_data, validation_data = corpus
    final = {}
    for causal in (True, False):
        torch.manual_seed(0)
        model = MiniTransformer(tokenizer.vocab_size, block_size=8, embed_size=32, num_layers=1, num_heads=4, causal=causal)
        generator = torch.Generator().manual_seed(0)
        train(model, train_data, block_size=8, batch_size=16, steps=150, learning_rate=1e-2, generator=generator)
        final[causal] = estimate_loss(model, validation_data, 8, 16, 5, generator)
    assert final[False] < final[True] - 1.0  # measured: about 1.2 against 3.0


def test_gradients_reach_every_parameter(corpus) -> None:  # type: ignore[no-untyped-def]
    tokenizer, train_data, _ = corpus
    model = small_model(tokenizer.vocab_size)
    inputs, targets = get_batch(train_data, 16, 8, torch.Generator().manual_seed(0))
    _, loss = model(inputs, targets)
    loss.backward()
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == 2 + 2 * 16 + 2  # embeddings, 16 tensors per block, final norm (head is tied)
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, name
        assert float(parameter.grad.abs().max()) > 0, name


def test_weight_tying() -> None:
    model = small_model(20)
    assert model.head.weight is model.token_embedding.weight
    parts = dict(count_parameters_by_part(model))
    assert parts["head"] == 0
    assert parts["token_embedding"] == 20 * 32
    assert parts["position_embedding"] == 16 * 32
    assert parts["final_norm"] == 2 * 32
    unique_total = sum(p.numel() for p in model.parameters())  # parameters() lists a shared tensor once
    assert sum(parts.values()) == unique_total
    # One block by hand: 4 linear layers of 32x32 + bias, LayerNorms, and the 32 -> 128 -> 32 network.
    block = 4 * (32 * 32 + 32) + 2 * (2 * 32) + (32 * 128 + 128) + (128 * 32 + 32)
    assert parts["blocks"] == 2 * block
    assert count_parameters_by_part(model.blocks[0]) == [
        ("norm_1", 64), ("attention", 4 * (32 * 32 + 32)), ("norm_2", 64), ("feed_forward", 32 * 128 + 128 + 128 * 32 + 32)]


def test_count_parameters_by_part_is_generic() -> None:
    class Other(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(torch.ones(3))  # a parameter stored directly on the model
            self.layers = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    assert count_parameters_by_part(Other()) == [("scale", 3), ("layers", 3 * 4 + 4 + 4 * 2 + 2)]


@pytest.mark.parametrize("causal", [True, False])
def test_changing_a_later_token_never_changes_earlier_logits(causal: bool) -> None:
    model = small_model(30, causal=causal).eval()
    ids = torch.randint(30, (2, 16), generator=torch.Generator().manual_seed(0))
    leaked = False
    with torch.no_grad():
        original, _ = model(ids)
        for position in range(15):
            changed = ids.clone()
            changed[:, position + 1] = (changed[:, position + 1] + 7) % 30  # a different character at t+1
            logits, _ = model(changed)
            same_past = torch.equal(logits[:, : position + 1], original[:, : position + 1])
            if causal:
                assert same_past, position
            leaked = leaked or not same_past
            assert not torch.allclose(logits[:, position + 1], original[:, position + 1])
    assert leaked is (not causal)  # without the mask the future does leak: the check can fail


def test_get_batch() -> None:
    data = torch.arange(100)
    inputs, targets = get_batch(data, block_size=8, batch_size=5, generator=torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (5, 8)
    assert inputs.dtype == targets.dtype == torch.long
    assert torch.equal(targets, inputs + 1)  # in 0, 1, 2, ... the next character is always one more
    for row in inputs:
        assert torch.equal(row, torch.arange(int(row[0]), int(row[0]) + 8))
    again, _ = get_batch(data, 8, 5, torch.Generator().manual_seed(0))
    assert torch.equal(again, inputs)  # same seed, same batch
    starts = torch.cat([get_batch(data, 8, 50, torch.Generator().manual_seed(seed))[0][:, 0] for seed in range(20)])
    assert int(starts.min()) == 0 and int(starts.max()) == 100 - 8 - 1  # every window, and the last one fits
    with pytest.raises(UserError):
        get_batch(torch.arange(8), block_size=8, batch_size=1, generator=torch.Generator())


def test_sample_next_token() -> None:
    logits = torch.tensor([0.0, 2.0, 1.0, -1.0, 0.5])
    assert sample_next_token(logits, 0.0, None, None) == 1
    generator = torch.Generator().manual_seed(0)
    picks = [sample_next_token(logits, 1.0, 2, generator) for _ in range(300)]
    assert set(picks) == {1, 2}  # top-2: only the two best ever appear
    counts = torch.bincount(torch.tensor([sample_next_token(logits, 1.0, None, generator) for _ in range(4000)]), minlength=5)
    expected = torch.softmax(logits, dim=0) * 4000
    assert torch.all((counts - expected).abs() < 5 * expected.sqrt() + 5)  # within 5 standard deviations
    cold = [sample_next_token(logits, 0.05, None, generator) for _ in range(100)]
    assert cold.count(1) > 95  # a low temperature almost always takes the favourite
    with pytest.raises(UserError):
        sample_next_token(logits, -1.0, None, None)


def test_generate_stays_in_vocabulary_and_crops_the_context() -> None:
    model = small_model(12).eval()
    generated = list(model.generate([1, 2, 3], max_new_tokens=40, temperature=1.0, top_k=5,
                                    generator=torch.Generator().manual_seed(0)))
    assert len(generated) == 40 and all(0 <= token < 12 for token in generated)
