"""Step 3.2: hand-written attention against torch.nn.functional.scaled_dot_product_attention."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from level_3_transformer.sentence import pick_sentence
from level_3_transformer.step2_attention import causal_mask, scaled_dot_product_attention
from buildai.errors import UserError
from buildai.tokenizer import CharTokenizer

SHAPES = [(11, 8), (3, 16, 8), (2, 4, 32, 16), (1, 1, 1, 4)]


def random_qkv(shape: tuple[int, ...], seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(*shape, generator=generator) for _ in range(3))  # type: ignore[return-value]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_pytorch(shape: tuple[int, ...], causal: bool) -> None:
    query, key, value = random_qkv(shape)
    ours, weights = scaled_dot_product_attention(query, key, value, causal=causal)
    theirs = F.scaled_dot_product_attention(query, key, value, is_causal=causal)
    assert ours.shape == theirs.shape
    assert float((ours - theirs).abs().max()) < 1e-6
    assert weights.shape == (*shape[:-1], shape[-2])
    assert torch.allclose(weights.sum(-1), torch.ones(shape[:-1]), atol=1e-6)


def test_the_mask_matters() -> None:
    """Without the mask the answers differ from PyTorch's causal answer: the check above can fail."""
    query, key, value = random_qkv((2, 10, 8))
    ours, _ = scaled_dot_product_attention(query, key, value, causal=False)
    theirs = F.scaled_dot_product_attention(query, key, value, is_causal=True)
    assert float((ours - theirs).abs().max()) > 1e-2


def test_hand_computed_example() -> None:
    query = key = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    value = torch.tensor([[10.0, 0.0], [0.0, 10.0]])
    output, weights = scaled_dot_product_attention(query, key, value, causal=True)
    # Row 1 sees scores (0, 1) / sqrt(2): weights e^0 / (e^0 + e^0.7071) and e^0.7071 / (...)
    share = 1 / (1 + math.exp(1 / math.sqrt(2)))
    assert torch.allclose(weights, torch.tensor([[1.0, 0.0], [share, 1 - share]]), atol=1e-6)
    assert torch.allclose(output, torch.tensor([[10.0, 0.0], [10 * share, 10 * (1 - share)]]), atol=1e-5)


def test_causal_weights_are_zero_above_the_diagonal_and_no_future_leaks() -> None:
    query, key, value = random_qkv((2, 12, 8))
    output, weights = scaled_dot_product_attention(query, key, value, causal=True)
    assert torch.all(weights.triu(diagonal=1) == 0)
    for position in range(11):  # change everything at position t+1: positions <= t must not notice
        changed = [tensor.clone() for tensor in (query, key, value)]
        for tensor in changed:
            tensor[:, position + 1] += 5.0
        new_output, _ = scaled_dot_product_attention(*changed, causal=True)
        assert torch.equal(new_output[:, : position + 1], output[:, : position + 1]), position
        assert not torch.allclose(new_output[:, position + 1], output[:, position + 1])


def test_causal_mask() -> None:
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]


def test_pick_sentence() -> None:
    tokenizer = CharTokenizer.from_text("chai is hot")
    assert pick_sentence("chai is hot", tokenizer, None) == "chai is hot"
    assert pick_sentence("chai is hot", tokenizer, "hot chai") == "hot chai"
    with pytest.raises(UserError):
        pick_sentence("chai is hot", tokenizer, "coffee")  # 'f' and 'e' are not in the text
    hindi = "बारिश आई, मोर नाचा।"
    assert pick_sentence(hindi, CharTokenizer.from_text(hindi), None) == hindi[:11].strip()
