"""The text layer of generation: prompt text in, text pieces out.

The model (model.py) only knows token ids and probabilities: `MiniGPT.stream` yields one id at a time.
Everything about *text* lives here instead -- encoding the prompt (skipping characters the model never saw),
turning ids back into text (`TextDecoder`: for a BPE model, never half a character), the seed that makes a
run repeatable, and stop strings, which must be held back until we know whether they are really there. Keeping it separate keeps model.py about the network, and lets other "models"
(e.g. generate.py's --explain wrapper) reuse exactly the same text handling.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence

import torch

from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.bpe import BPETokenizer
from level_4_mini_gpt.model import MiniGPT, SamplingSettings
from level_4_mini_gpt.tokenizers_choice import Tokenizer


class TextDecoder:
    """Ids -> text, one id at a time, handing out only whole characters.

    A character id is always one whole character. A BPE token is some bytes, and a Devanagari letter's 3 bytes
    can be split over two tokens: printing the first token alone would show a broken '�'. So the bytes are
    collected, and only complete UTF-8 characters are handed out; the rest waits for the next token.
    Bytes that can never become a character (the model is free to write any byte) become '�'.

    >>> tokenizer = BPETokenizer([])            # bytes only: every byte is its own token
    >>> decoder = TextDecoder(tokenizer)
    >>> [decoder.add(byte) for byte in "क!".encode("utf-8")], decoder.finish()
    (['', '', 'क', '!'], '')
    >>> decoder.add(0xE0), decoder.finish()     # the start of a letter, and then nothing: one '�'
    ('', '�')
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._bytes = codecs.getincrementaldecoder("utf-8")(errors="replace") if isinstance(tokenizer, BPETokenizer) else None

    def add(self, token: int) -> str:
        """The text this id completes ('' while a character is still unfinished)."""
        if self._bytes is None:
            assert isinstance(self.tokenizer, CharTokenizer)
            return self.tokenizer.chars[token]
        assert isinstance(self.tokenizer, BPETokenizer)
        return self._bytes.decode(self.tokenizer.token_bytes(token))

    def finish(self) -> str:
        """At the end: whatever is still waiting, as '�' if it is only part of a character."""
        return "" if self._bytes is None else self._bytes.decode(b"", final=True)


def stream_text(
    model: MiniGPT,
    tokenizer: Tokenizer,
    prompt: str,
    max_new_tokens: int,
    settings: SamplingSettings,
    seed: int | None = None,
    stop: Sequence[str] = (),
    use_cache: bool = True,
) -> Iterator[str]:
    """Yield the generated text piece by piece (usually one character, or one BPE token, at a time), not
    including the prompt. `max_new_tokens` counts ids: characters for a character model, tokens for BPE.

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
    decoder = TextDecoder(tokenizer)
    generated = ""
    sent = 0  # how much of `generated` has been yielded
    tokens = model.stream(prompt_ids, max_new_tokens, settings, generator=generator, use_cache=use_cache)
    pieces = (decoder.add(token) for token, _ in tokens)
    for piece, last in _with_tail(pieces, decoder):
        generated += piece
        found = [index for index in (generated.find(text, max(0, sent - len(text))) for text in stops) if index >= 0]
        if found:
            if min(found) > sent:
                yield generated[sent : min(found)]
            return
        safe_end = len(generated) if last else len(generated) - _longest_partial_stop(generated, stops)
        if safe_end > sent:
            yield generated[sent:safe_end]
            sent = safe_end


def _with_tail(pieces: Iterator[str], decoder: TextDecoder) -> Iterator[tuple[str, bool]]:
    """(piece, is it the last one): the decoded pieces, then what the decoder still held at the end."""
    for piece in pieces:
        yield piece, False
    yield decoder.finish(), True


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
