"""Benchmark: Level 4's byte-level BPE (level_4_mini_gpt/bpe.py) -- its speed, and its compression next to
the `tokenizers` library's BPE trainer and SentencePiece's.

Speed: the English and Hindi stories (their first 90%) repeated until they are `--mb` megabytes, then
training to `--vocab-size` (merges per second) and encoding 1/4, 1/2 and all of that text with an empty
chunk cache each time (seconds, so you can see the time grow in a straight line, and MB per second).
The text repeats, so after the first copy every chunk is found in the cache (`distinct_chunks` says how
much real merging work there was); `encode_seconds_without_cache` switches the cache off, so every chunk
is merged afresh: that is the algorithm's own cost, and it too should grow in a straight line. The same text through our exported Hugging Face tokenizer is given too.

Compression: for the English and the Hindi stories separately, each tokenizer learns from the first 90% and
is measured on the held-out 10%, paragraph by paragraph (the same paragraphs for all), as bytes per token
(higher = shorter text). Vocabulary sizes are 256 + merges, for each `--merges` value:

- ours: 256 bytes + merges (+ the special token, not counted);
- tokenizers: `BpeTrainer` on the same split and byte alphabet (it breaks ties differently, so its merges
  may differ a little from ours);
- tokenizers_gpt2_split: the same, with GPT-2's own split, which cuts Hindi words at every vowel sign;
- sentencepiece: `model_type=bpe` with byte fallback (so nothing is unknown), no normalisation. Its
  vocabulary also holds its 256 byte pieces, so its characters and merges share what is left.

Prints ONE JSON object on stdout; progress goes to stderr.

    python benchmarks/bpe.py                          # about half a minute on two cores
    python benchmarks/bpe.py --mb 0.25 --merges 256   # a quick look
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from collections.abc import Callable

from buildai.data import load_corpus, split_paragraphs
from buildai.paths import HINDI_CORPUS
from level_4_mini_gpt import bpe
from level_4_mini_gpt.bpe import BYTES, SPLIT_PATTERN, BPETokenizer, split_chunks

Counter = Callable[[str], int]  # text -> how many tokens a tokenizer makes of it


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def repeated(text: str, megabytes: float) -> str:
    """`text` repeated (and cut) until it is `megabytes` of UTF-8."""
    wanted = int(megabytes * 1_000_000)
    data = text.encode("utf-8")
    data = (data * (wanted // len(data) + 1))[:wanted]
    return data.decode("utf-8", errors="ignore")  # a cut in the middle of a Hindi letter: drop the half


def timed(work: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    outcome = work()
    return outcome, time.perf_counter() - started


def speed(text: str, vocab_size: int) -> dict[str, object]:
    megabytes = len(text.encode("utf-8")) / 1e6
    log(f"training on {megabytes:.2f} MB to a vocabulary of {vocab_size} ...")
    tokenizer, seconds = timed(lambda: BPETokenizer.train(text, vocab_size))
    assert isinstance(tokenizer, BPETokenizer)
    remembered = bpe.CACHE_LIMIT
    encode_seconds: dict[str, float] = {}
    uncached_seconds: dict[str, float] = {}
    for share in (0.25, 0.5, 1.0):
        part = text[: int(len(text) * share)]
        size = f"{len(part.encode('utf-8')) / 1e6:.2f}_mb"
        fresh = BPETokenizer(tokenizer.merges)  # an empty cache, so every size pays for its own chunks
        _, encode_seconds[size] = timed(lambda: fresh.encode(part))
        bpe.CACHE_LIMIT = 0  # the cache forgets every chunk at once: each one is merged afresh
        try:
            fresh = BPETokenizer(tokenizer.merges)
            _, uncached_seconds[size] = timed(lambda: fresh.encode(part))
        finally:
            bpe.CACHE_LIMIT = remembered
    full = max(encode_seconds.values())
    hugging_face = tokenizer.to_huggingface().backend_tokenizer
    _, hf_seconds = timed(lambda: hugging_face.encode(text, add_special_tokens=False))
    return {
        "text_mb": round(megabytes, 3),
        "vocab_size": tokenizer.vocab_size,
        "train_seconds": round(seconds, 2),
        "merges_per_second": round(len(tokenizer.merges) / seconds, 1),
        "encode_seconds": {size: round(value, 3) for size, value in encode_seconds.items()},
        "encode_mb_per_second": round(megabytes / full, 2),
        "encode_seconds_without_cache": {size: round(value, 3) for size, value in uncached_seconds.items()},
        "encode_mb_per_second_without_cache": round(megabytes / max(uncached_seconds.values()), 2),
        "distinct_chunks": len(set(split_chunks(text))),
        "exported_hf_encode_mb_per_second": round(megabytes / hf_seconds, 2),
    }


def train_ours(train: str, vocab: int) -> tuple[Counter, int]:
    tokenizer = BPETokenizer.train(train, vocab + 1)  # + 1: the special token, which never appears in the text
    return (lambda text: len(tokenizer.encode(text))), tokenizer.vocab_size - 1


def train_tokenizers(train: str, vocab: int, gpt2_split: bool = False) -> tuple[Counter, int]:
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

    engine = Tokenizer(models.BPE())
    if gpt2_split:
        engine.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        engine.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=2, show_progress=False, special_tokens=[],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    engine.train_from_iterator(split_paragraphs(train), trainer=trainer)
    return (lambda text: len(engine.encode(text, add_special_tokens=False).ids)), engine.get_vocab_size()


def train_sentencepiece(train: str, vocab: int) -> tuple[Counter, int]:
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(split_paragraphs(train)), model_writer=model, vocab_size=vocab, model_type="bpe",
        byte_fallback=True, character_coverage=1.0, normalization_rule_name="identity",
        remove_extra_whitespaces=False, hard_vocab_limit=False, max_sentence_length=1 << 16,
        num_threads=1, minloglevel=2)
    processor = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    return (lambda text: len(processor.encode(text))), processor.get_piece_size()


TRAINERS: dict[str, Callable[[str, int], tuple[Counter, int]]] = {
    "ours": train_ours,
    "tokenizers": train_tokenizers,
    "tokenizers_gpt2_split": lambda train, vocab: train_tokenizers(train, vocab, gpt2_split=True),
    "sentencepiece": train_sentencepiece,
}


def compression(merges: list[int]) -> dict[str, object]:
    table: dict[str, object] = {}
    for language, path in (("english", None), ("hindi", HINDI_CORPUS)):
        corpus = load_corpus(path)
        held_out = split_paragraphs(corpus.val_text)
        held_out_bytes = sum(len(paragraph.encode("utf-8")) for paragraph in held_out)
        rows = []
        for count in merges:
            row: dict[str, object] = {"vocab_size": BYTES + count}
            for name, train in TRAINERS.items():
                log(f"{language}: {name}, vocabulary {BYTES + count} ...")
                (count_tokens, actual), seconds = timed(lambda: train(corpus.train_text, BYTES + count))  # type: ignore[misc]
                tokens = sum(count_tokens(paragraph) for paragraph in held_out)
                row[name] = {"bytes_per_token": round(held_out_bytes / tokens, 3), "train_seconds": round(seconds, 3),
                             "actual_vocab_size": actual}
            rows.append(row)
        table[language] = {"train_bytes": len(corpus.train_text.encode("utf-8")), "held_out_bytes": held_out_bytes,
                           "rows": rows}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="megabytes of (repeated) stories for the speed test (default 1)")
    parser.add_argument("--vocab-size", type=int, default=1280, help="vocabulary for the speed test (default 1280)")
    parser.add_argument("--merges", type=int, nargs="+", default=[256, 512, 1024],
                        help="merges for the compression table: vocabularies of 256 + each (default 256 512 1024)")
    args = parser.parse_args()
    if args.mb <= 0 or args.vocab_size < BYTES + 1 or min(args.merges) < 1:
        parser.error("--mb must be above 0, --vocab-size at least 257 and every --merges at least 1")

    stories = load_corpus().train_text + "\n\n" + load_corpus(HINDI_CORPUS).train_text
    import sentencepiece
    import tokenizers

    print(json.dumps({
        "benchmark": "bpe",
        "speed": speed(repeated(stories, args.mb), args.vocab_size),
        "compression": compression(args.merges),
        "tokenizers": tokenizers.__version__,
        "sentencepiece": sentencepiece.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }))


if __name__ == "__main__":
    main()
