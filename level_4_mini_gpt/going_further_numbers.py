"""The measured numbers lesson_going_further.md and solutions_going_further.md quote, and how each is measured.

Level 4's lesson_numbers.py adds these quotes, measurements and recorded runs to its own, so one check covers
both lessons. Fast numbers (the tokenizer table, parameter counts, the int8 size of a model built in memory)
are measured in `measure()` every time, in a few seconds. The two training comparisons take minutes, so they
are recorded runs, kept in measured/<run>.json:

    python lesson_numbers.py                            # check every quoted number of Level 4
    python lesson_numbers.py --update --run modern      # GPT-2 against the modern design, 60 s each
    python lesson_numbers.py --update --run int8        # train the tiny preset, then int8 against float32
    python lesson_numbers.py --update --run tokenizers  # characters against BPE 512 and 1024, same time each
    python going_further_numbers.py                     # check only the going-further lesson

>>> gpt2_split("हिन्दी")
['ह', 'ि', 'न', '्', 'द', 'ी']
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import regex
import torch

from buildai.data import load_corpus, split_paragraphs
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Recorded, Values, run_script
from buildai.paths import HINDI_CORPUS, REPO_ROOT
from level_4_mini_gpt.bpe import BYTES, END_OF_TEXT, BPETokenizer, merge_pair, show_token, split_chunks
from level_4_mini_gpt.bpe_step import ENGLISH_SENTENCE, HINDI_SENTENCE
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.modern import swiglu_hidden_size
from level_4_mini_gpt.presets import PRESETS
from level_4_mini_gpt.tokenizers_choice import DEFAULT_VOCAB_SIZE
from level_4_mini_gpt.quantize import (dequantize_weight, linear_layers_to_quantize, quantize_model, quantize_weight,
                                       save_weights)

HERE = Path(__file__).resolve().parent
SEED = 42
MERGES = (256, 512, 1024)  # the tokenizer table: vocabularies of 256 + each (as benchmarks/bpe.py's default)
STEP_VOCAB = 512  # the lesson's `python bpe_step.py --vocab-size 512`
FIRST_MERGES = 10  # merges shown in the lesson's picture
MODERN_SECONDS = 60  # benchmarks/level4_modern.py --seconds 60
MODERN = {"position": "rope", "norm": "rms", "mlp": "swiglu", "n_kv_head": 2}
TOLERANCE = 0.011
# GPT-2's own split (its encoder.py): a word is only letters, so a Devanagari vowel sign or virama is cut off.
GPT2_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
HINDI_WORD = "हिन्दी"
SPLIT_EXAMPLE = "The cat's 12 mangoes!!  हिन्दी"
CHAI = "chai chai chaat"  # the lesson's BPE picture
LASSI = "lassi lassi laddoo"  # exercise 2
HINDI_ASKED = 2048  # exercise 1: python bpe_step.py --text ../data/stories_hi.txt --vocab-size 2048
HAND_ROW = [0.9, -0.31, 0.047, -0.6]  # exercise 6: one row of weights, made int8 by hand
EXAMPLE_BITS_PER_TOKEN = 6.0  # the lesson's bits-per-byte example
# The tokenizer comparison: train.py with the default preset and the same time budget for each tokenizer.
TOKENIZER_RUNS = {"char": [], "bpe512": ["--tokenizer", "bpe", "--vocab-size", "512"],
                  "bpe1024": ["--tokenizer", "bpe", "--vocab-size", "1024"]}
TOKENIZER_SECONDS = {"en": 60, "hi": 30}  # the Hindi stories are short: half a minute already repeats them often


def gpt2_split(text: str) -> list[str]:
    return regex.findall(GPT2_SPLIT, text)


@cache
def benchmark(name: str) -> ModuleType:
    """A script from benchmarks/ as a module (that folder is not a package), so the lesson uses its exact code."""
    path = REPO_ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"buildai_benchmark_{name}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------ fast measurements


def tokenizer_table() -> dict[str, Any]:
    """benchmarks/bpe.py's compression table: each tokenizer learns from the first 90%, is measured on the
    held-out 10% paragraph by paragraph, as bytes (and characters) per token."""
    trainers = benchmark("bpe").TRAINERS
    values: dict[str, Any] = {}
    for language, path in (("en", None), ("hi", HINDI_CORPUS)):
        corpus = load_corpus(path)
        held_out = split_paragraphs(corpus.val_text)
        held_bytes = sum(len(paragraph.encode("utf-8")) for paragraph in held_out)
        held_characters = sum(len(paragraph) for paragraph in held_out)
        for index, count in enumerate(MERGES):
            values[f"vocab_{index}"] = BYTES + count
            for name, train in trainers.items():
                count_tokens, actual = train(corpus.train_text, BYTES + count)
                tokens = sum(count_tokens(paragraph) for paragraph in held_out)
                values[f"{language}_{name}_{index}"] = held_bytes / tokens
                values[f"{language}_{name}_{index}_chars"] = held_characters / tokens
                values[f"{language}_{name}_{index}_vocab"] = actual
    last = len(MERGES) - 1
    values["hi_ours_last_vocab"] = values[f"hi_ours_{last}_vocab"]
    values["hi_gpt2_last_vocab"] = values[f"hi_tokenizers_gpt2_split_{last}_vocab"]
    values["hi_split_gain"] = values[f"hi_ours_{last}"] / values[f"hi_tokenizers_gpt2_split_{last}"] - 1
    values["en_context_characters"] = PRESETS["default"]["block_size"] * values[f"en_ours_{last}_chars"]
    return values


def step_numbers() -> dict[str, Any]:
    """What `python bpe_step.py --vocab-size 512` learns: English and Hindi training text together."""
    english, hindi = load_corpus(), load_corpus(HINDI_CORPUS)
    tokenizer = BPETokenizer.train("\n\n".join([english.train_text, hindi.train_text]), STEP_VOCAB)
    values: dict[str, Any] = {"step_vocab": STEP_VOCAB, "step_merges": len(tokenizer.merges),
                              "first_merges": "  ".join(show_token(tokenizer.token_bytes(BYTES + i))
                                                        for i in range(FIRST_MERGES))}
    for name, sentence in (("en", ENGLISH_SENTENCE), ("hi", HINDI_SENTENCE)):
        ids = tokenizer.encode(sentence)
        values[f"step_{name}_characters"] = len(sentence)
        values[f"step_{name}_bytes"] = len(sentence.encode("utf-8"))
        values[f"step_{name}_tokens"] = len(ids)
        values[f"step_{name}_pieces"] = " | ".join(show_token(tokenizer.token_bytes(i)) for i in ids)
    story_end = "The end." + END_OF_TEXT
    values["special_allowed"] = len(tokenizer.encode(story_end, allow_special=True))
    values["special_plain"] = len(tokenizer.encode(story_end))
    values["special_characters"] = len(END_OF_TEXT)
    values["step_english_bytes"] = len(english.train_text.encode("utf-8"))
    values["step_hindi_bytes"] = len(hindi.train_text.encode("utf-8"))
    return values


def hindi_numbers() -> dict[str, Any]:
    hindi = load_corpus(HINDI_CORPUS)
    devanagari = [character for character in set(hindi.text) if "\u0900" <= character <= "\u097f"]
    byte_counts = {len(character.encode("utf-8")) for character in devanagari}
    if len(byte_counts) != 1:
        raise RuntimeError(f"Devanagari characters of different UTF-8 lengths: {byte_counts}")
    return {
        "devanagari_bytes": byte_counts.pop(), "devanagari_kinds": len(devanagari),
        "hindi_bytes_per_character": len(hindi.text.encode("utf-8")) / len(hindi.text),
        "english_bytes_per_character": len(load_corpus().text.encode("utf-8")) / len(load_corpus().text),
        "hindi_word_characters": len(HINDI_WORD), "hindi_word_bytes": len(HINDI_WORD.encode("utf-8")),
        "hindi_word_gpt2_pieces": len(gpt2_split(HINDI_WORD)),
        "hindi_word_gpt2_split": " | ".join(gpt2_split(HINDI_WORD)),
        "hindi_word_our_pieces": len(split_chunks(HINDI_WORD)),
        "hindi_sentence_gpt2_pieces": len(gpt2_split(HINDI_SENTENCE)),
        "hindi_sentence_our_pieces": len(split_chunks(HINDI_SENTENCE)),
    }


def default_sizes() -> dict[str, Any]:
    return {name: PRESETS["default"][name] for name in ("n_layer", "n_head", "n_embd", "block_size", "dropout")}


def model_numbers() -> dict[str, Any]:
    """Parameter counts and cache sizes of the GPT-2 and the modern design at the default preset's sizes."""
    vocabulary = load_corpus().tokenizer.vocab_size
    sizes = default_sizes()
    gpt2 = GPTConfig(vocab_size=vocabulary, **sizes)
    modern = GPTConfig(vocab_size=vocabulary, **sizes, **MODERN)
    head_size = sizes["n_embd"] // sizes["n_head"]

    def cache_bytes(config: GPTConfig) -> int:  # keys and values, every block, float32, for one position
        return 2 * config.n_layer * config.kv_heads * head_size * 4

    def changed(**switch: Any) -> int:  # numbers saved by one switch alone (negative: it adds numbers)
        return MiniGPT(gpt2).parameter_count() - MiniGPT(GPTConfig(vocab_size=vocabulary, **sizes, **switch)).parameter_count()

    one_kv = GPTConfig(vocab_size=vocabulary, **sizes, n_kv_head=1)
    return {
        "saved_rope": changed(position="rope"), "saved_rms": changed(norm="rms"),
        "added_swiglu": -changed(mlp="swiglu"), "saved_gqa": changed(n_kv_head=MODERN["n_kv_head"]),
        "params_saved": MiniGPT(gpt2).parameter_count() - MiniGPT(modern).parameter_count(),
        "cache_one_kv": cache_bytes(one_kv), "cache_one_kv_context": cache_bytes(one_kv) * sizes["block_size"] / 1024, "n_layer": sizes["n_layer"],
        "block_size": sizes["block_size"], "n_embd": sizes["n_embd"],
        "params_gpt2": MiniGPT(gpt2).parameter_count(), "params_modern": MiniGPT(modern).parameter_count(),
        "position_table": sizes["block_size"] * sizes["n_embd"], "swiglu_hidden": swiglu_hidden_size(sizes["n_embd"]),
        "gelu_hidden": 4 * sizes["n_embd"], "modern_n_head": sizes["n_head"], "modern_kv_heads": MODERN["n_kv_head"],
        "head_size": head_size, "cache_gpt2": cache_bytes(gpt2), "cache_modern": cache_bytes(modern),
        "cache_gpt2_context": cache_bytes(gpt2) * sizes["block_size"] / 1024,
        "cache_modern_context": cache_bytes(modern) * sizes["block_size"] / 1024,
    }


def int8_numbers() -> dict[str, Any]:
    """The default preset's model, untrained (seeded), as float32 and as int8 safetensors files."""
    vocabulary = load_corpus().tokenizer.vocab_size
    torch.manual_seed(SEED)
    model = MiniGPT(GPTConfig(vocab_size=vocabulary, **default_sizes()))
    quantized = quantize_model(model)
    with tempfile.TemporaryDirectory(prefix="buildai_int8_") as folder:
        float_size = save_weights(Path(folder) / "float32.safetensors", model).stat().st_size
        int8_size = save_weights(Path(folder) / "int8.safetensors", quantized).stat().st_size
    linear = sum(model.get_submodule(name).weight.numel() for name in linear_layers_to_quantize(model))
    return {"memory_float_kb": float_size / 1024, "memory_int8_kb": int8_size / 1024,
            "memory_ratio": float_size / int8_size, "memory_linear_share": linear / model.parameter_count()}


def trace(text: str) -> str:
    """BPE training on `text`, round by round, as the lesson draws it: every pair's count, the merge, the chunks.

    The same rule as bpe.py (the most frequent pair; on a tie the smaller ids), checked against it.
    """
    chunks = [list(chunk.encode("utf-8")) for chunk in split_chunks(text)]
    spelled = {byte: bytes([byte]) for byte in range(BYTES)}

    def show(index: int) -> str:
        return show_token(spelled[index])

    lines = [f'text: "{text}"    chunks: ' + "  ".join(f'"{show_token(chunk.encode())}"' for chunk in split_chunks(text))]
    merges = []
    while True:
        counts = Counter(pair for ids in chunks for pair in zip(ids, ids[1:]))
        if not counts:
            break
        ranked = sorted(counts, key=lambda pair: (-counts[pair], pair[0], pair[1]))
        lines.append(f"round {len(merges) + 1}: " + ", ".join(f"{show(a)}+{show(b)} ×{counts[(a, b)]}" for a, b in ranked))
        pair = ranked[0]
        if counts[pair] < 2:
            lines.append("         no pair appears twice: stop")
            break
        new_id = BYTES + len(merges)
        spelled[new_id] = spelled[pair[0]] + spelled[pair[1]]
        merges.append(pair)
        chunks = [merge_pair(ids, pair, new_id) for ids in chunks]
        lines.append(f"         merge {show(pair[0])} + {show(pair[1])} = {show(new_id)} (id {new_id});   now: "
                     + "  |  ".join(" ".join(show(index) for index in ids) for ids in chunks))
    if merges != BPETokenizer.train(text, BYTES + len(merges) + 1).merges:
        raise RuntimeError(f"the lesson's BPE picture of {text!r} differs from bpe.py")
    return "\n".join(lines)


def hand_numbers() -> dict[str, Any]:
    """The worked examples: BPE by hand, Hindi running out of pairs, one row of weights made int8."""
    hindi = load_corpus(HINDI_CORPUS)
    small = BPETokenizer.train(hindi.train_text, STEP_VOCAB)  # the Hindi stories alone, 255 merges
    letters = 0  # merges that only rebuild one letter (or part of one) from its bytes
    for index in range(BYTES, len(small.vocab)):
        text = small.token_bytes(index).decode("utf-8", errors="surrogateescape")
        letters += len(text) == 1 or any("\udc80" <= character <= "\udcff" for character in text)
    big = BPETokenizer.train(hindi.train_text, HINDI_ASKED)
    row = torch.tensor([HAND_ROW])
    q, scale = quantize_weight(row)
    back = dequantize_weight(q, scale)
    return {
        "chai_trace": trace(CHAI), "lassi_trace": trace(LASSI),
        "hi_small_merges": len(small.merges), "hi_letter_merges": letters,
        "hindi_asked": HINDI_ASKED, "hindi_asked_merges": HINDI_ASKED - BYTES - 1, "hindi_learned": len(big.merges),
        "hand_scale": float(scale), "hand_q": ", ".join(str(int(value)) for value in q.flatten()),
        "hand_back": ", ".join(f"{value:.4f}" for value in back.flatten().tolist()),
        "hand_error": float((row - back).abs().max()), "hand_half_step": float(scale) / 2,
    }


def measure() -> dict[str, Any]:
    """Every fast number of the going-further lesson (a few seconds)."""
    values = {**tokenizer_table(), **step_numbers(), **hindi_numbers(), **model_numbers(), **int8_numbers(),
              **hand_numbers()}
    values["example_bits_per_byte"] = EXAMPLE_BITS_PER_TOKEN / values[f"en_ours_{len(MERGES) - 1}"]
    values["example_bits_per_token"] = EXAMPLE_BITS_PER_TOKEN
    values["gf_vocabulary"] = load_corpus().tokenizer.vocab_size
    values["lassi_merges"] = repr([show_token(BPETokenizer.train(LASSI, 300).token_bytes(BYTES + i)) for i in range(4)])
    english = BPETokenizer.train(load_corpus().train_text, HINDI_ASKED)
    values["english_asked_merges"] = len(english.merges)  # exercise 1: the English stories do not run out
    hindi = BPETokenizer.train(load_corpus(HINDI_CORPUS).train_text, HINDI_ASKED)
    if not all(len(hindi.encode(word)) == 1 for word in (" के", " में")):
        raise RuntimeError("solutions_going_further.md (exercise 1) says के and में are single tokens: no longer true")
    values["en_hi_ratio"] = values["step_english_bytes"] / values["step_hindi_bytes"]
    values["tok_default_vocab"] = DEFAULT_VOCAB_SIZE
    values["tok_small_vocab"] = int(TOKENIZER_RUNS["bpe512"][-1])
    values["tok_big_vocab"] = int(TOKENIZER_RUNS["bpe1024"][-1])
    return values


# ------------------------------------------------------------------------------ recorded runs


def _benchmark_json(script: str, *args: str) -> dict[str, Any]:
    """Run benchmarks/<script>.py as a person would (from the course folder); the JSON it printed."""
    with tempfile.TemporaryDirectory(prefix="buildai_l4_further_") as folder:
        output = run_script(REPO_ROOT, str(REPO_ROOT / "benchmarks" / f"{script}.py"), *args,
                            output_root=Path(folder), cwd=REPO_ROOT)
    return json.loads(output.strip().splitlines()[-1])


def measure_modern() -> dict[str, Any]:
    """benchmarks/level4_modern.py: both designs trained by train.py for the same time, one after the other."""
    result = _benchmark_json("level4_modern", "--seconds", str(MODERN_SECONDS))
    values: dict[str, Any] = {"modern_seconds": result["seconds_each"], "modern_load": result["load_average_1min"],
                              "modern_ratio": result["ratio"]}
    for design in ("gpt2", "modern"):
        run = result[design]
        values.update({f"{design}_bits": run["held_out_bits_per_char"], f"{design}_steps": run["steps"],
                       f"{design}_best_step": run["best_step"], f"{design}_parameters": run["parameters"],
                       f"{design}_train_seconds": run["train_seconds"], f"{design}_wall_seconds": run["wall_seconds"],
                       f"{design}_tokens_per_second": run["train_tokens_per_second"]})
    values["modern_gain"] = values["gpt2_bits"] - values["modern_bits"]
    values["modern_ms_per_step"] = 1000 * values["modern_train_seconds"] / values["modern_steps"]
    values["gpt2_ms_per_step"] = 1000 * values["gpt2_train_seconds"] / values["gpt2_steps"]
    return values


def measure_int8() -> dict[str, Any]:
    """benchmarks/level4_int8.py: train the tiny preset, then float32 against our int8 (and PyTorch's)."""
    result = _benchmark_json("level4_int8")
    float32, int8, pytorch = result["float32"], result["int8_by_hand"], result["pytorch_dynamic_int8"]
    values: dict[str, Any] = {
        "q_float_kb": float32["size_bytes"] / 1024, "q_int8_kb": int8["size_bytes"] / 1024,
        "q_ratio": int8["size_ratio"], "q_float_loss": float32["held_out_loss"], "q_int8_loss": int8["held_out_loss"],
        "q_loss_change": int8["loss_change"], "q_float_bits": float32["held_out_bits_per_char"],
        "q_int8_bits": int8["held_out_bits_per_char"],
        "q_float_speed": float32["tokens_per_second"], "q_int8_speed": int8["tokens_per_second"],
        "q_int8_speedup": int8["speedup"], "q_same_characters": int8["same_sample_characters"],
        "q_weights_error": int8["weights_relative_error"], "q_parameters": result["model"]["parameters"],
        "q_quantised": result["model"]["quantised_linear_weights"], "q_tokens": result["tokens"],
        "q_repeats": result["repeats"], "q_load": result["load_average_1min"], "q_pytorch": int(pytorch["available"]),
    }
    values["q_quantised_share"] = values["q_quantised"] / values["q_parameters"]
    if pytorch["available"]:
        values.update({"q_pytorch_loss_change": pytorch["loss_change"], "q_pytorch_speed": pytorch["tokens_per_second"],
                       "q_pytorch_speedup": pytorch["speedup"],
                       "q_pytorch_same_characters": pytorch["same_sample_characters"]})
    return values


def measure_tokenizers() -> dict[str, Any]:
    """train.py --time-budget S, once per tokenizer, on the English and the Hindi stories, one after the other.

    Every run scores the same held-out text (the last 10% of the characters); its size in bytes is the same
    for all three tokenizers, its length in tokens is not.
    """
    values: dict[str, Any] = {"tok_load_before": os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0}
    with tempfile.TemporaryDirectory(prefix="buildai_l4_tokenizers_") as folder:
        for language, text in (("en", None), ("hi", HINDI_CORPUS)):
            values[f"tok_{language}_seconds"] = TOKENIZER_SECONDS[language]
            for name, flags in TOKENIZER_RUNS.items():
                out = Path(folder) / f"{language}_{name}"
                text_flags = [] if text is None else ["--text", str(text)]
                run_script(HERE, "train.py", "--time-budget", str(TOKENIZER_SECONDS[language]), "--seed", str(SEED),
                           "--threads", "1", "--quiet", "--out-dir", str(out), *text_flags, *flags,
                           output_root=Path(folder), cwd=HERE)
                history = json.loads((out / "history.json").read_text(encoding="utf-8"))
                summary, best, prefix = history["text"], history["best"], f"tok_{language}_{name}"
                values.update({
                    f"{prefix}_bpb": best["val_bits_per_byte"], f"{prefix}_bpc": best["val_bits_per_char"],
                    f"{prefix}_loss": best["val_loss"], f"{prefix}_best_step": best["step"],
                    f"{prefix}_steps": history["steps"], f"{prefix}_vocab": summary["vocab_size"],
                    f"{prefix}_tokens": summary["held_out_tokens"], f"{prefix}_train_tokens": summary["train_tokens"],
                    f"{prefix}_bytes_per_token": summary["held_out_bytes"] / summary["held_out_tokens"],
                    f"{prefix}_characters_per_token": summary["held_out_characters"] / summary["held_out_tokens"],
                    f"{prefix}_ms": 1000 * history["train_seconds"] / max(1, history["steps"]),
                    f"{prefix}_parameters": MiniGPT(GPTConfig(**history["config"])).parameter_count(),
                })
                values[f"tok_{language}_bytes"] = summary["held_out_bytes"]
                values[f"tok_{language}_characters"] = summary["held_out_characters"]
                values[f"tok_{language}_ngram_bpc"] = history["ngram_baseline"]["val_bits_per_char"]
    values["tok_load_after"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    for language in ("en", "hi"):
        values[f"tok_{language}_ngram_bpb"] = (values[f"tok_{language}_ngram_bpc"] * values[f"tok_{language}_characters"]
                                               / values[f"tok_{language}_bytes"])
        values[f"tok_{language}_bytes_per_character"] = values[f"tok_{language}_bytes"] / values[f"tok_{language}_characters"]
    check_tokenizer_story(values)
    return values


def check_tokenizer_story(values: Values) -> None:
    """The lesson's sentences about the tokenizer table, in words rather than numbers: stop a new recording
    that no longer tells the same story, so the words are rewritten along with the numbers."""
    def bpb(language: str, name: str) -> float:
        return values[f"tok_{language}_{name}_bpb"]

    claims = {
        "in English both BPE models beat the character model": max(bpb("en", "bpe512"), bpb("en", "bpe1024")) < bpb("en", "char"),
        "in English 1,024 tokens did not beat 512": bpb("en", "bpe1024") >= bpb("en", "bpe512"),
        "in Hindi the character model is best and the biggest vocabulary worst":
            bpb("hi", "char") < bpb("hi", "bpe512") < bpb("hi", "bpe1024"),
        "no model beats the n-gram": all(bpb(language, name) > values[f"tok_{language}_ngram_bpb"]
                                         for language in ("en", "hi") for name in TOKENIZER_RUNS),
        "every model was at its best at its last evaluation": all(
            values[f"tok_{language}_{name}_best_step"] == values[f"tok_{language}_{name}_steps"]
            for language in ("en", "hi") for name in TOKENIZER_RUNS),
    }
    wrong = [claim for claim, holds in claims.items() if not holds]
    if wrong:
        raise RuntimeError(f"lesson_going_further.md says {wrong}, which this recording does not show: rewrite it")


def _settings(preset: str, extra: dict[str, Any]) -> Any:
    def settings() -> dict[str, Any]:
        return {"preset": PRESETS[preset], "seed": SEED, "corpus_sha256": load_corpus().sha256, **extra}
    return settings


RUNS = [
    Recorded("modern", f"python benchmarks/level4_modern.py --seconds {MODERN_SECONDS}", measure_modern,
             _settings("default", {"seconds": MODERN_SECONDS, "modern": MODERN})),
    Recorded("int8", "python benchmarks/level4_int8.py", measure_int8,
             _settings("tiny", {"tokens": 200, "repeats": 5, "threads": 1})),
    Recorded("tokenizers", "python train.py --time-budget 60 (the Hindi stories: --text ../data/stories_hi.txt "
                           "--time-budget 30) --threads 1, with each of " + json.dumps(TOKENIZER_RUNS),
             measure_tokenizers,
             _settings("default", {"seconds": TOKENIZER_SECONDS, "runs": TOKENIZER_RUNS, "threads": 1,
                                   "hindi_sha256": load_corpus(HINDI_CORPUS).sha256})),
]


# ------------------------------------------------------------------------------ the quotes

L, S = "lesson_going_further.md", "solutions_going_further.md"

def close(file: str, text: str) -> Quote:
    return Quote(file, text, tolerance=TOLERANCE)


def table_row(index: int) -> Quote:
    """One row of the tokenizer table: bytes per token at one vocabulary size."""
    cells = [f"{{{language}_{name}_{index}:.2f}}" for language in ("en", "hi")
             for name in ("ours", "tokenizers", "sentencepiece")]
    return Quote(L, f"| {BYTES + MERGES[index]} | " + " | ".join(cells) + f" | {{hi_tokenizers_gpt2_split_{index}:.2f}} |")


def step_block(values: Values) -> str:
    return "\n".join([
        f"first {FIRST_MERGES} merges:  {values['first_merges']}",
        f"English, {values['step_en_characters']} characters, {values['step_en_bytes']} bytes, {values['step_en_tokens']} tokens:",
        values["step_en_pieces"],
        f"Hindi, {values['step_hi_characters']} characters, {values['step_hi_bytes']} bytes, {values['step_hi_tokens']} tokens:",
        values["step_hi_pieces"],
    ])


def split_block(values: Values) -> str:
    return f'split_chunks("{SPLIT_EXAMPLE}")\n{split_chunks(SPLIT_EXAMPLE)!r}'


def gpt2_block(values: Values) -> str:
    return (f"GPT-2's split:  {values['hindi_word_gpt2_split']}\n"
            f"our split:      {' | '.join(split_chunks(HINDI_WORD))}                     "
            f"(bpe.py adds \\p{{M}}: marks count as part of the word)")


QUOTES: list[Quote | Block] = [
    # section 1: tokens
    Quote(L, "Our default model looks back {block_size} characters"),
    Block(L, "Here is `bpe.py`'s rule, worked out on a tiny text", lambda values: values["chai_trace"]),
    Block(L, "keeps punctuation apart:", split_block),
    Quote(L, "in ordinary text it is just {special_characters}\ncharacters"),
    Quote(L, "`'The end.<|endoftext|>'` is {special_allowed} tokens when specials are allowed and {special_plain} when it is read as plain text"),
    Quote(L, "every Devanagari character takes {devanagari_bytes} bytes: all {devanagari_kinds} different\nDevanagari characters"),
    Quote(L, "averages {hindi_bytes_per_character:.2f} bytes per character; the English stories {english_bytes_per_character:.2f}."),
    Quote(L, "हिन्दी is {hindi_word_characters} characters and {hindi_word_bytes} bytes"),
    Quote(L, "so it cuts हिन्दी into {hindi_word_gpt2_pieces} pieces:"),
    Block(L, "so it cuts हिन्दी into", gpt2_block),
    Quote(L, "is {hindi_sentence_gpt2_pieces} chunks with GPT-2's split and\n{hindi_sentence_our_pieces} with ours"),
    Quote(L, "held-out Hindi stories with {vocab_2:,} tokens, our split carries {hi_split_gain:.0%} more text per\ntoken "
             "({hi_ours_2:.2f} bytes against {hi_tokenizers_gpt2_split_2:.2f})"),
    Quote(L, "ran out of pairs to merge at only {hi_gpt2_last_vocab}\ntokens"),
    table_row(0), table_row(1), table_row(2),
    Quote(L, "of our first {hi_small_merges} merges\n  on the Hindi stories, {hi_letter_merges} only rebuild one letter"),
    Quote(L, "asked for {vocab_2:,} tokens, our tokenizer stopped at {hi_ours_last_vocab}"),
    Quote(L, "({step_hindi_bytes:,} bytes to learn from)"),
    Quote(L, "English with {vocab_2:,} tokens gets {en_ours_2_chars:.2f} (one byte is one\n  character), Hindi {hi_ours_2_chars:.2f}."),
    Quote(L, "would then hold about {en_context_characters:.0f} characters of English\n  instead of {block_size}."),
    Quote(L, "python bpe_step.py --vocab-size {step_vocab}\n"),
    Quote(L, "English and Hindi training text together ({step_english_bytes:,} and {step_hindi_bytes:,}\nbytes)"),
    Quote(L, "With {step_vocab} tokens, the first merges"),
    Block(L, "that are only part of a Devanagari letter):", step_block),
    Quote(L, "With only {step_merges} merges and about {en_hi_ratio:.0f} times more English than Hindi"),
    Quote(L, "A model scoring {example_bits_per_token:.1f} bits per token with our {vocab_2:,}-token English tokenizer "
             "({en_ours_2:.2f} bytes a token) needs\n{example_bits_per_token:.1f} ÷ {en_ours_2:.2f} ≈ {example_bits_per_byte:.2f} bits per byte."),
    # section 1: training on tokens, characters against BPE
    Quote(L, "python train.py --tokenizer bpe --vocab-size {tok_default_vocab} --out-dir outputs_bpe"),
    Quote(L, "Leave out `--vocab-size` and you get {tok_default_vocab} tokens"),
    Quote(L, "with characters, with {tok_small_vocab} BPE tokens and with {tok_big_vocab:,}. Each English run gets\n"
             "`--time-budget {tok_en_seconds}`; the short Hindi stories get {tok_hi_seconds} seconds."),
    Quote(L, "{tok_en_bytes:,} bytes of English, and {tok_hi_bytes:,} bytes ({tok_hi_characters} characters) of Hindi"),
    *[Quote(L, f"| {text} | {label} | {{tok_{language}_{name}_vocab:,}} | {{tok_{language}_{name}_tokens:,}} | "
               f"{{tok_{language}_{name}_bytes_per_token:.2f}} | {{tok_{language}_{name}_steps}} | "
               f"{{tok_{language}_{name}_bpc:.3f}} | **{{tok_{language}_{name}_bpb:.3f}}** |")
      for language, text in (("en", "English"), ("hi", "Hindi"))
      for name, label in (("char", "characters"), *((name, f"BPE, `--vocab-size {flags[-1]}`")
                                                   for name, flags in TOKENIZER_RUNS.items() if flags))],
    Quote(L, "The character model's best English\nloss was {tok_en_char_loss:.3f} nats per character, the "
             "{tok_small_vocab}-token model's {tok_en_bpe512_loss:.3f} nats per token"),
    Quote(L, "In\nHindi a character takes {tok_hi_bytes_per_character:.2f} bytes on average, and the two columns part: "
             "the character model's\n{tok_hi_char_bpc:.3f} bits per character are only {tok_hi_char_bpb:.3f} bits per byte."),
    Quote(L, "({tok_en_bpe512_bpb:.3f} and\n  {tok_en_bpe1024_bpb:.3f} bits per byte against {tok_en_char_bpb:.3f})"),
    Quote(L, "({tok_en_bpe512_ms:.0f} and {tok_en_bpe1024_ms:.0f} ms against {tok_en_char_ms:.0f} ms"),
    Quote(L, "each step carried {tok_en_bpe512_bytes_per_token:.2f} or {tok_en_bpe1024_bytes_per_token:.2f} times "
             "as much text"),
    Quote(L, "{tok_big_vocab:,} tokens did not beat {tok_small_vocab} here"),
    Quote(L, "The Hindi stories have only {tok_hi_char_train_tokens:,} training characters; as tokens that\n  is "
             "{tok_hi_bpe512_train_tokens:,} ({tok_hi_bpe512_vocab} tokens) or {tok_hi_bpe1024_train_tokens:,} "
             "({tok_hi_bpe1024_vocab} tokens, all it could learn)"),
    Quote(L, "so the character model is best ({tok_hi_char_bpb:.3f} bits per byte)"),
    Quote(L, "({tok_en_ngram_bpb:.3f} bits per byte\n  in English, {tok_hi_ngram_bpb:.3f} in Hindi)"),
    Quote(L, "(the load average was\n  {tok_load_before:.2f} when the run began)"),
    # section 2: the modern design
    Quote(L, "there is no\ntable to learn ({position_table:,} numbers fewer at the default size: {block_size} positions × "
             "{n_embd} numbers)"),
    Quote(L, "({saved_rms} numbers fewer here)"),
    Quote(L, "expand ({n_embd} → {gelu_hidden}) ──► GELU"),
    Quote(L, "gate   ({n_embd} → {swiglu_hidden}) ──► SiLU"),
    Quote(L, "({swiglu_hidden} instead of {gelu_hidden}, about two thirds)"),
    Quote(L, "({added_swiglu:,} numbers more here)"),
    Quote(L, "a full window of {block_size} characters needs a cache of {cache_gpt2_context:.0f} KB with GPT-2's design, "
             "{cache_modern_context:.0f} KB\nwith {modern_kv_heads} key/value heads and {cache_one_kv_context:.0f} KB with one"),
    Quote(L, "({saved_gqa:,} fewer)"),
    Quote(L, "the default preset has **{params_gpt2:,}** numbers as GPT-2 and **{params_modern:,}** in the modern design."),
    Quote(L, "for the same\n{modern_seconds:.0f} seconds each"),
    Quote(L, "| GPT-2 | {gpt2_parameters:,} | {gpt2_steps} | {gpt2_ms_per_step:.0f} ms | {gpt2_bits:.3f} |"),
    Quote(L, "| modern | {modern_parameters:,} | {modern_steps} | {modern_ms_per_step:.0f} ms | {modern_bits:.3f} |"),
    Quote(L, "(its load average was {modern_load:.2f} during the run"),
    Quote(L, "In this run the modern design ended {modern_gain:.2f} bits per character lower"),
    Quote(L, "here GPT-2\nmade {gpt2_steps} steps in {gpt2_train_seconds:.1f} s of training, and the modern design "
             "{modern_steps} steps in {modern_train_seconds:.1f} s ({modern_ms_per_step:.0f} ms\na step against "
             "{gpt2_ms_per_step:.0f} ms)."),
    Quote(L, "very last evaluation (steps {gpt2_best_step} and {modern_best_step})"),
    # section 3: int8
    Quote(L, "Built in memory at the default preset's size, {memory_linear_share:.0%} of the numbers are in Linear layers, "
             "and the file shrinks\nfrom {memory_float_kb:,.0f} KB to {memory_int8_kb:,.0f} KB: {memory_ratio:.2f} times smaller"),
    Quote(L, "(taking the median of {q_repeats} timed runs of {q_tokens} characters each)"),
    Quote(L, "| size on disk | {q_float_kb:,.0f} KB | {q_int8_kb:,.0f} KB |"),
    Quote(L, "| held-out loss (nats) | {q_float_loss:.5f} | {q_int8_loss:.5f} |"),
    Quote(L, "| held-out bits per character | {q_float_bits:.4f} | {q_int8_bits:.4f} |"),
    Quote(L, "| speed (characters per second) | {q_float_speed:,.0f} | {q_int8_speed:,.0f} |"),
    Quote(L, "The file is {q_ratio:.2f} times smaller, and the held-out loss changed by {q_loss_change:.5f} nats"),
    Quote(L, "The\ntwo samples were identical for all {q_same_characters} of {q_tokens} characters."),
    Quote(L, "our int8 model wrote {q_int8_speed:,.0f} characters per second against float32's {q_float_speed:,.0f}: "
             "{q_int8_speedup:.2f} times the speed"),
    Quote(L, "it was not faster either ({q_pytorch_speedup:.2f} times float32's speed)"),
    Quote(L, "its held-out loss moved a little more ({q_pytorch_loss_change:.5f} nats)"),
    Quote(L, "its sample matched float32's for only {q_pytorch_same_characters} of {q_tokens} characters"),

    # solutions
    Quote(S, "In our run the character model's best English loss was {tok_en_char_loss:.3f} nats per character\n"
             "({tok_en_char_bpc:.3f} bits per character), and the {tok_small_vocab}-token BPE model's "
             "{tok_en_bpe512_loss:.3f} nats per token"),
    Quote(S, "In bits per byte it was {tok_en_bpe512_bpb:.3f} against {tok_en_char_bpb:.3f}: the BPE model was the better one."),
    Quote(S, "You asked for {hindi_asked} tokens: 256 bytes, 1 special token and {hindi_asked_merges} merges. The step "
             "learns only {hindi_learned}\nmerges"),
    Quote(S, "about {step_hindi_bytes:,} bytes to learn from, so after {hindi_learned}\nmerges"),
    Quote(S, "The English stories, about {en_hi_ratio:.0f} times bigger, learn all {english_asked_merges} merges at this size."),
    Block(S, "Count\nthe pairs inside each chunk, merge the commonest, and count again:", lambda values: values["lassi_trace"]),
    Quote(S, "It prints `{lassi_merges:s}`, and it stops early"),
    Quote(S, "The modern design has {params_saved:,} fewer numbers than GPT-2 at the default size."),
    Quote(S, "The default preset has {n_layer} blocks, {modern_n_head} heads of {head_size} numbers and {n_embd} numbers "
             "per character, with a\ncontext of {block_size}."),
    Quote(S, "| `--position rope` | {saved_rope:,} fewer |"),
    Quote(S, "| `--norm rms` | {saved_rms} fewer |"),
    Quote(S, "| `--mlp swiglu` | {added_swiglu:,} more |"),
    Quote(S, "| `--n-kv-head 2` | {saved_gqa:,} fewer |"),
    Quote(S, "{saved_rope:,} + {saved_rms} + {saved_gqa:,} − {added_swiglu:,} = {params_saved:,}."),
    Quote(S, "sizes = dict(vocab_size={gf_vocabulary}, n_layer={n_layer}, n_head={modern_n_head}, n_embd={n_embd}, "
             "block_size={block_size})"),
    Quote(S, "({gf_vocabulary} is the number of different characters in our stories."),
    Quote(S, "so {cache_gpt2:,} bytes per position for the 3 blocks."),
    Quote(S, "| 4 (GPT-2) | {cache_gpt2:,} | {cache_gpt2_context:.0f} KB |"),
    Quote(S, "| 2 | {cache_modern:,} | {cache_modern_context:.0f} KB |"),
    Quote(S, "| 1 | {cache_one_kv:,} | {cache_one_kv_context:.0f} KB |"),
    Quote(S, "one step is 0.9 ÷ 127 ≈ {hand_scale:.5f}."),
    Quote(S, "Stored: `{hand_q:s}`.\nMultiplied back by the step: `{hand_back:s}`. The largest change is {hand_error:.4f}, "
             "less than half a\nstep ({hand_half_step:.4f})"),
    Quote(S, "In our run the file went from\n{q_float_kb:,.0f} KB to {q_int8_kb:,.0f} KB, {q_ratio:.2f} times smaller"),
    Quote(S, "{q_quantised_share:.0%} of the tiny model's numbers are in\nits Linear layers (a little less than the "
             "default preset's {memory_linear_share:.0%}"),
    Quote(S, "The held-out loss went from {q_float_loss:.5f} to {q_int8_loss:.5f} nats."),
    Quote(S, "The int8\nmodel wrote {q_int8_speedup:.2f} times as fast as float32."),
]

NUMBERS = LessonNumbers(HERE, QUOTES, measure, recorded=RUNS)

if __name__ == "__main__":
    raise SystemExit(NUMBERS.main())
