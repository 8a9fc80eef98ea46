"""Asking a model a question: the generation settings, in one place, and streaming the answer.

chat.py and evaluate.py both answer through `stream_answer`, so a question is always put to the model in
the training template and the answer always ends at the same place: the end-of-answer newline, or the
start of a next question if the model begins one.

Generation uses transformers' own `model.generate` (sampling, top-k, top-p, repetition penalty) with a
`TextIteratorStreamer`: generate runs in a second thread and hands us the text piece by piece. A model
whose window is too short for the question and a whole answer (a Level 4 model may see only 64
characters) cannot use `generate`, which stops at the window's end; it writes with a sliding window
instead, as Level 4's generate.py does: each new token is predicted from the last `window` tokens, with
Level 4's temperature, top-k and top-p (repetition penalties are off for character models anyway).
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch

from buildai.errors import UserError
from level_5_real_finetune.template import DEFAULT_TEMPLATE, END_OF_ANSWER, QUESTION_MARKERS, format_prompt

MAX_QUESTION_CHARACTERS = 500  # longer input is politely refused: the model never saw questions that long


@dataclass(frozen=True)
class AnswerSettings:
    """Every knob of answering. Defaults depend on the tokenizer (see `for_model`)."""

    temperature: float = 0.7  # 0 = always the most likely token (greedy)
    top_k: int = 50  # choose only among the k most likely tokens
    top_p: float = 0.9  # ... and among those, the smallest set holding 90% of the probability
    repetition_penalty: float = 1.15  # make tokens already used a little less likely (fights loops)
    no_repeat_ngram_size: int = 3  # never repeat the same 3 tokens in a row
    max_new_tokens: int = 120

    @classmethod
    def for_model(cls, char_level: bool) -> "AnswerSettings":
        """A character model repeats letters all the time, so penalising repeats would garble its words."""
        if char_level:
            return cls(temperature=0.5, top_k=20, top_p=0.9, repetition_penalty=1.0, no_repeat_ngram_size=0,
                       max_new_tokens=250)  # our answers: median 192 characters, 90% under 250
        return cls()

    def with_temperature(self, temperature: float) -> "AnswerSettings":
        if not 0 <= temperature <= 5:
            raise UserError(f"The temperature must be between 0 and 5 (you gave {temperature}). Try 0.7.")
        return replace(self, temperature=temperature)

    def generate_kwargs(self) -> dict[str, Any]:
        """The settings as model.generate() arguments."""
        sampling = self.temperature > 0
        kwargs: dict[str, Any] = {"do_sample": sampling, "max_new_tokens": self.max_new_tokens,
                                  "repetition_penalty": self.repetition_penalty}
        if sampling:
            kwargs.update(temperature=self.temperature, top_k=self.top_k, top_p=self.top_p)
        if self.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = self.no_repeat_ngram_size
        return kwargs

    def describe(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in asdict(self).items())


def end_of_answer(text: str) -> int | None:
    """Where the answer in `text` ends (the end marker or a new question), or None if it has not ended.

    >>> end_of_answer(" Plants make food.\\nQuestion: next")
    18
    >>> end_of_answer(" still going") is None
    True
    """
    ends = [text.find(marker) for marker in (END_OF_ANSWER, *QUESTION_MARKERS)]
    found = [end for end in ends if end >= 0]
    return min(found) if found else None


def check_question(question: str) -> str:
    question = " ".join(question.split())
    if not question:
        raise UserError("Please type a question first, for example: What is photosynthesis?")
    if len(question) > MAX_QUESTION_CHARACTERS:
        raise UserError(f"That question is {len(question):,} characters long. Please ask it in under "
                        f"{MAX_QUESTION_CHARACTERS} characters: the model learned from short school questions.")
    return question


def question_seed(seed: int, question: str) -> int:
    """The seed for one question: the same question (and --seed) always gets the same answer, while different
    questions get different random draws -- with one seed for all, a small model's answers to different
    questions could share the very same lucky and unlucky choices.

    >>> question_seed(42, "What is rain?") == question_seed(42, "What is rain?") != question_seed(42, "What is snow?")
    True
    """
    return (seed * 1_000_003 + zlib.crc32(" ".join(question.split()).encode("utf-8"))) % 2**31


def stream_answer(model: Any, tokenizer: Any, question: str, settings: AnswerSettings,
                  template: str = DEFAULT_TEMPLATE, seed: int = 0) -> Iterator[str]:
    """Yield the answer piece by piece as the model writes it, stopping at the end of the answer."""
    seed = question_seed(seed, question)
    prompt_ids = tokenizer.encode(format_prompt(check_question(question), template), add_special_tokens=False)
    window = int(getattr(model.config, "n_positions", 1024))
    if len(prompt_ids) + settings.max_new_tokens > window:
        yield from _until_end(_decoded(tokenizer, _sliding_window_tokens(model, prompt_ids, settings, window, seed)))
    else:
        yield from _until_end(_generate_streamed(model, tokenizer, prompt_ids, settings, seed))


def _until_end(pieces: Iterator[str]) -> Iterator[str]:
    """Pass text through until the end of the answer, then stop (and stop the writer behind it)."""
    written = ""
    for piece in pieces:
        end = end_of_answer(written + piece)
        if end is not None:
            if end > len(written):
                yield (written + piece)[len(written):end]
            break
        written += piece
        yield piece
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def _decoded(tokenizer: Any, tokens: Iterator[int]) -> Iterator[str]:
    """Token ids -> the new text each one adds (decoding everything so far keeps multi-token letters whole)."""
    ids: list[int] = []
    shown = ""
    for token in tokens:
        ids.append(token)
        text = tokenizer.decode(ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            continue  # half of a character (a byte-level token): wait for the rest
        yield text[len(shown):]
        shown = text


@torch.inference_mode()
def _sliding_window_tokens(model: Any, prompt_ids: list[int], settings: AnswerSettings, window: int,
                           seed: int) -> Iterator[int]:
    from level_4_mini_gpt.model import SamplingSettings, next_token_distribution

    sampling = SamplingSettings(temperature=settings.temperature, top_k=settings.top_k, top_p=settings.top_p)
    generator = torch.Generator().manual_seed(seed)
    ids = list(prompt_ids)
    for _ in range(settings.max_new_tokens):
        logits = model(input_ids=torch.tensor([ids[-window:]], device=model.device)).logits[0, -1].cpu()
        token = int(torch.multinomial(next_token_distribution(logits, sampling), 1, generator=generator))
        ids.append(token)
        yield token


def _generate_streamed(model: Any, tokenizer: Any, prompt_ids: list[int], settings: AnswerSettings,
                       seed: int) -> Iterator[str]:
    """transformers' generate in a second thread, its text handed over piece by piece by a streamer."""
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    inputs = torch.tensor([prompt_ids], device=model.device)
    start = len(prompt_ids)

    class AnswerFinished(StoppingCriteria):  # checked after every new token
        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: Any) -> torch.Tensor:
            written = tokenizer.decode(input_ids[0, start:], skip_special_tokens=True)
            done = end_of_answer(written) is not None
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    kwargs = settings.generate_kwargs()
    torch.manual_seed(seed)  # the same seed gives the same answer
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    failures: list[BaseException] = []

    def generate() -> None:
        try:
            model.generate(input_ids=inputs, attention_mask=torch.ones_like(inputs), streamer=streamer,
                           pad_token_id=pad, eos_token_id=tokenizer.eos_token_id,
                           stopping_criteria=StoppingCriteriaList([AnswerFinished()]), **kwargs)
        except BaseException as problem:  # noqa: BLE001 -- handed to the main thread below
            failures.append(problem)
            streamer.end()  # so the loop below does not wait for text that will never come

    job = threading.Thread(target=generate, daemon=True)
    job.start()
    try:
        yield from streamer
    finally:
        for _ in streamer:  # let generate finish (the stopping criterion ends it within a token of the marker)
            pass
        job.join()
    if failures:
        raise failures[0]


def answer(model: Any, tokenizer: Any, question: str, settings: AnswerSettings,
           template: str = DEFAULT_TEMPLATE, seed: int = 0) -> str:
    return "".join(stream_answer(model, tokenizer, question, settings, template, seed)).strip()
