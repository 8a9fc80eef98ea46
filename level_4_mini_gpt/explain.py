"""--explain: what the model was choosing from, for every character it wrote.

`RecordingModel` wraps a MiniGPT so that every token it streams is recorded together with the
probabilities it was drawn from (after temperature, top-k and top-p). Because text.py's `stream_text`
only needs a `stream` method, the explained text is written by exactly the same code as plain text:
the same seed gives the same text, explained or not. `show_choices` then prints the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from buildai import ui
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.model import MiniGPT

CANDIDATES = 5  # how many top choices the table shows for each character


@dataclass
class Choice:
    """One generated character and what the model was thinking when it picked it."""

    chosen: str
    candidates: list[tuple[str, float]]  # the top choices, most likely first: (character, probability)
    kept: int  # how many characters were on the shortlist after top-k / top-p


def top_candidates(probabilities: torch.Tensor, tokenizer: CharTokenizer,
                   how_many: int = CANDIDATES) -> list[tuple[str, float]]:
    """The `how_many` most likely characters with their probabilities; characters filtered out (0) are left out.

    >>> top_candidates(torch.tensor([0.1, 0.6, 0.0, 0.3]), CharTokenizer(list("abcd")), how_many=3)
    [('b', 0.6000000238418579), ('d', 0.30000001192092896), ('a', 0.10000000149011612)]
    """
    values, ids = torch.topk(probabilities, k=min(how_many, probabilities.numel()))
    return [(tokenizer.chars[int(i)], float(p)) for p, i in zip(values, ids) if p > 0]


class RecordingModel:
    """A MiniGPT that also writes down every choice it streams, in `choices`."""

    def __init__(self, model: MiniGPT, tokenizer: CharTokenizer, choices: list[Choice]):
        self.model, self.tokenizer, self.choices = model, tokenizer, choices

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[tuple[int, torch.Tensor]]:
        for token_id, probabilities in self.model.stream(*args, **kwargs):
            self.choices.append(Choice(self.tokenizer.chars[token_id], top_candidates(probabilities, self.tokenizer),
                                       int((probabilities > 0).sum())))
            yield token_id, probabilities


def show_choices(choices: Sequence[Choice], prompt: str, generated: str, limit: int = 100) -> None:
    """The --explain table: for every character written, the top candidates it was picked from."""
    rows = []
    for index, choice in enumerate(choices[:limit]):
        context = (prompt + generated)[: len(prompt) + index][-12:]
        cells = [f"{ui.show_char(ch)} {p:.3f}" for ch, p in choice.candidates]
        cells += [""] * (CANDIDATES - len(cells))
        shown_context = "".join(ui.show_char(ch) for ch in context)  # so a space at the end is visible
        rows.append((str(index + 1), ui.escape(shown_context), ui.escape(ui.show_char(choice.chosen)),
                     *(ui.escape(cell) for cell in cells), str(choice.kept)))
    ordinals = ["1st", "2nd", "3rd", "4th", "5th"][:CANDIDATES]
    ui.table("What the model was choosing from (probabilities after temperature, top-k and top-p)",
             ["#", "text so far ends", "picked", *ordinals, "shortlist"], rows,
             justify=["right", "right", "center", *["left"] * CANDIDATES, "right"])
    if len(choices) > limit:
        ui.say(f"(only the first {limit} of {len(choices)} characters are shown)")
