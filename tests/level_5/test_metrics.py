"""metrics.py against independent oracles: Google's rouge-score package, hand counts, and the model's own loss."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from level_5_real_finetune.metrics import answer_loss, answer_perplexity, longest_common_subsequence, rouge_l, token_f1, words
from level_5_real_finetune.prepare_data import IGNORE

SENTENCES = [
    ("the cat sat on the mat", "the cat is on the mat"),
    ("water boils at 100 degrees celsius at sea level", "at sea level water boils at 100 degrees"),
    ("photosynthesis makes food", "plants make food by photosynthesis using sunlight"),
    ("a b c d e", "e d c b a"),
    ("nothing shared here", "completely different words"),
]


@pytest.mark.parametrize("prediction,reference", SENTENCES)
def test_rouge_l_equals_the_rouge_score_package(prediction, reference):
    from rouge_score import rouge_scorer

    expected = rouge_scorer.RougeScorer(["rougeL"]).score(reference, prediction)["rougeL"].fmeasure
    assert rouge_l(prediction, reference) == pytest.approx(expected, abs=1e-12)


@given(st.lists(st.sampled_from("abcde"), max_size=12), st.lists(st.sampled_from("abcde"), max_size=12))
@settings(max_examples=200, deadline=None)
def test_lcs_matches_brute_force(first, second):
    from itertools import combinations

    best = 0
    for size in range(min(len(first), len(second)), 0, -1):
        if any(list(combo) in (list(c) for c in combinations(second, size)) for combo in combinations(first, size)):
            best = size
            break
    assert longest_common_subsequence(first, second) == best


def test_token_f1_by_hand():
    # 3 shared words (water, boils, at); 4 predicted, 6 expected: P = 3/4, R = 1/2, F1 = 0.6
    assert token_f1("water boils at night", "water boils at 100 degrees celsius") == pytest.approx(0.6)
    assert token_f1("Same words.", "same WORDS") == 1.0
    assert token_f1("", "something") == 0.0 and token_f1("", "") == 1.0
    assert words("सूर्य एक तारा है।") == ["सूर्य", "एक", "तारा", "है"]


def test_answer_loss_equals_the_models_own_loss():
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=20, n_positions=32, n_embd=16, n_layer=1, n_head=2)).eval()
    examples = [{"input_ids": [1, 2, 3, 4, 5, 6], "labels": [IGNORE, IGNORE, IGNORE, 4, 5, 6]},
                {"input_ids": [7, 8, 9], "labels": [IGNORE, 8, 9]}]
    total, count = answer_loss(model, examples, pad=0)
    assert count == 5
    expected = 0.0
    with torch.no_grad():
        for example in examples:  # transformers shifts the labels itself and averages over the unmasked ones
            output = model(input_ids=torch.tensor([example["input_ids"]]), labels=torch.tensor([example["labels"]]))
            expected += output.loss.item() * sum(label != IGNORE for label in example["labels"][1:])
    assert total == pytest.approx(expected, rel=1e-5)
    assert answer_perplexity(model, examples, pad=0) == pytest.approx(math.exp(expected / 5), rel=1e-5)
