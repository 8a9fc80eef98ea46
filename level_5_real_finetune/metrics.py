"""How good is an answer? Three measures, each simple enough to compute by hand.

- Answer perplexity: how surprised the model is by the *reference* answer, given the question in the
  template. e^(average loss per answer token). Lower is better; it needs no generated text at all.
- Token F1: split the model's answer and the reference into words; precision = shared words / words the
  model wrote, recall = shared words / words in the reference; F1 = 2PR / (P + R).
- ROUGE-L: like F1, but the shared words must come in the same order (the longest common subsequence).

Words are lower-cased runs of letters and digits (in any script, so Hindi works too).

>>> round(token_f1("the sun is a star", "The Sun is a star."), 3)
1.0
>>> round(token_f1("water boils at 100 degrees", "at sea level water boils at 100 degrees Celsius"), 3)
0.714
>>> round(rouge_l("boils water at 100", "water boils at 100"), 3)
0.75
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import torch

from level_5_real_finetune.prepare_data import IGNORE, pad_batch

# Letters and digits of any script; Devanagari's vowel signs and virama are marks, not letters, so the
# Devanagari block is added whole, less its two full stops (the dandas) (otherwise "किताब" would fall apart at its vowel sign).
WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097F])+")  # (not the danda \u0964 and \u0965)


def words(text: str) -> list[str]:
    """The lower-cased words of a text.

    >>> words("H2O, or water!")
    ['h2o', 'or', 'water']
    >>> words("किताब पढ़ो।")
    ['किताब', 'पढ़ो']
    """
    return WORD.findall(text.lower())


def token_f1(prediction: str, reference: str) -> float:
    predicted, expected = words(prediction), words(reference)
    if not predicted or not expected:
        return float(predicted == expected)
    shared = sum((Counter(predicted) & Counter(expected)).values())
    if shared == 0:
        return 0.0
    precision, recall = shared / len(predicted), shared / len(expected)
    return 2 * precision * recall / (precision + recall)


def longest_common_subsequence(first: list[str], second: list[str]) -> int:
    """Length of the longest sequence of words found, in order (not necessarily side by side), in both.

    >>> longest_common_subsequence("a b c d".split(), "a c d b".split())
    3
    """
    previous = [0] * (len(second) + 1)
    for word in first:
        current = [0]
        for index, other in enumerate(second):
            current.append(previous[index] + 1 if word == other else max(previous[index + 1], current[index]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    predicted, expected = words(prediction), words(reference)
    if not predicted or not expected:
        return float(predicted == expected)
    common = longest_common_subsequence(predicted, expected)
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


@torch.no_grad()
def answer_loss(model: Any, examples: list[dict[str, list[int]]], pad: int, batch_size: int = 8) -> tuple[float, int]:
    """(total loss in nats over every answer token, number of answer tokens) for tokenized examples."""
    total, count = 0.0, 0
    for start in range(0, len(examples), batch_size):
        batch = pad_batch(examples[start : start + batch_size], pad)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        # Position t predicts token t + 1, so compare logits[:, :-1] with labels[:, 1:].
        targets = batch["labels"][:, 1:]
        losses = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]).float(), targets.reshape(-1), ignore_index=IGNORE, reduction="sum")
        total += losses.item()
        count += int((targets != IGNORE).sum())
    return total, count


def answer_perplexity(model: Any, examples: list[dict[str, list[int]]], pad: int) -> float:
    total, count = answer_loss(model, examples, pad)
    return math.exp(total / max(count, 1))
