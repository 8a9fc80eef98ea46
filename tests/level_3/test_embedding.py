"""Step 3.1: the sinusoidal positional encoding against its closed formula, and cosine similarity."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from buildai.tokenizer import CharTokenizer
from level_3_transformer.step1_embedding import (
    NeighbourModel,
    cosine_similarity,
    pick_characters,
    sinusoidal_positional_encoding,
    train_neighbour_model,
)


@pytest.mark.parametrize("d_model", [4, 7, 16, 64])
def test_positional_encoding_matches_the_closed_formula(d_model: int) -> None:
    encoding = sinusoidal_positional_encoding(200, d_model)
    assert encoding.shape == (200, d_model)
    assert encoding.dtype == torch.float32
    for position in [0, 1, 2, 17, 63, 128, 199]:
        for column in range(d_model):
            i = column // 2  # columns 2i and 2i+1 share one angle
            angle = position / 10000 ** (2 * i / d_model)
            expected = math.sin(angle) if column % 2 == 0 else math.cos(angle)
            assert float(encoding[position, column]) == pytest.approx(expected, abs=1e-6), (position, column)


def test_positional_encoding_rows_are_all_different() -> None:
    encoding = sinusoidal_positional_encoding(512, 32)
    distances = torch.cdist(encoding, encoding) + torch.eye(512) * 1e9
    assert float(distances.min()) > 1e-3


def test_cosine_similarity_matches_pytorch() -> None:
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        first, second = torch.randn(8, generator=generator), torch.randn(8, generator=generator)
        assert cosine_similarity(first, second) == pytest.approx(float(F.cosine_similarity(first, second, dim=0)), abs=1e-6)
    assert cosine_similarity(torch.tensor([1.0, 2.0]), torch.tensor([-2.0, -4.0])) == pytest.approx(-1.0)


def test_pick_characters_falls_back_for_hindi() -> None:
    english = CharTokenizer.from_text("the rain is on its way home")
    characters, vowels = pick_characters(english, "the rain is on its way home")
    assert vowels is False  # 'u' is missing, so no full vowel set
    hindi_text = "बारिश आई, मोर नाचा। बारिश में सब भीगे।"
    characters, vowels = pick_characters(CharTokenizer.from_text(hindi_text), hindi_text, how_many=4)
    assert vowels is False and len(characters) == 4
    assert characters[:3] == ["ा", "ब", "र"]  # 4, 3 and 3 times; ties in alphabet order


def test_neighbour_training_lowers_the_loss() -> None:
    torch.manual_seed(0)
    text = "the cat sat on the mat and the rat ate the hat " * 20
    tokenizer = CharTokenizer.from_text(text)
    model = NeighbourModel(tokenizer.vocab_size, 4)
    data = torch.tensor(tokenizer.encode(text))
    losses = train_neighbour_model(model, data, steps=60, batch_size=64, learning_rate=0.05,
                                   generator=torch.Generator().manual_seed(0))
    assert len(losses) == 60
    assert losses[-1] < losses[0] - 1.0
