"""The text layer of generation: prompt text in, text pieces out.

The model (model.py) only knows token ids and probabilities: `MiniGPT.stream` yields one id at a time.
Everything about *text* lives here instead -- encoding the prompt (skipping characters the model never saw),
the seed that makes a run repeatable, and stop strings, which must be held back until we know whether
they are really there. Keeping it separate keeps model.py about the network, and lets other "models"
(e.g. generate.py's --explain wrapper) reuse exactly the same text handling.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch

from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.model import MiniGPT, SamplingSettings


def stream_text(
    model: MiniGPT,
    tokenizer: CharTokenizer,
    prompt: str,
    max_new_tokens: int,
    settings: SamplingSettings,
    seed: int | None = None,
    stop: Sequence[str] = (),
    use_cache: bool = True,
) -> Iterator[str]:
    """Yield the generated text piece by piece (usually one character at a time), not including the prompt.

    - Prompt characters the model has never seen are skipped (report them with tokenizer.unknown_chars).
      A prompt with no known characters starts from a new line, like the start of a fresh story.
    - `seed` makes the text repeatable: the same seed and settings give the same text.
    - `stop`: generation ends as soon as the generated text contains any of these strings. The stop
      string itself is never yielded: text that could be the start of a stop string is held back until
      it is clear either way, so the yielded pieces join up to exactly the text *before* the first stop
      string (or all of it, if none appears within max_new_tokens).

    >>> from level_4_mini_gpt.model import GPTConfig
    >>> tokenizer = CharTokenizer.from_text("ab.")
    >>> model = MiniGPT(GPTConfig(vocab_size=3, block_size=8, n_layer=1, n_head=1, n_embd=8))
    >>> text = "".join(stream_text(model, tokenizer, "a", 20, SamplingSettings(), seed=1, stop=["."]))
    >>> "." in text
    False
    """
    prompt_ids = tokenizer.encode(prompt, skip_unknown=True)
    if not prompt_ids:
        prompt_ids = tokenizer.encode("\n", skip_unknown=True) or [0]
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    stops = [text for text in stop if text]
    generated = ""
    sent = 0  # how much of `generated` has been yielded
    for token, _ in model.stream(prompt_ids, max_new_tokens, settings, generator=generator, use_cache=use_cache):
        generated += tokenizer.chars[token]
        found = [index for index in (generated.find(text, max(0, sent - len(text))) for text in stops) if index >= 0]
        if found:
            if min(found) > sent:
                yield generated[sent : min(found)]
            return
        safe_end = len(generated) - _longest_partial_stop(generated, stops)
        if safe_end > sent:
            yield generated[sent:safe_end]
            sent = safe_end
    if len(generated) > sent:
        yield generated[sent:]


def _longest_partial_stop(text: str, stops: Sequence[str]) -> int:
    """How many characters at the end of `text` could be the start of a stop string.

    >>> _longest_partial_stop("The end", ["ending", "\\n\\n"])
    3
    """
    longest = 0
    for stop_text in stops:
        for size in range(min(len(stop_text) - 1, len(text)), longest, -1):
            if text.endswith(stop_text[:size]):
                longest = size
                break
    return longest
