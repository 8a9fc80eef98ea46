"""The checks of Level 4's exercises: `buildai check 4.N` (and `4g.N`) runs this file on your answer.

Each check compares your answer with the course's own code (the model, the sampler, the tokenizer, the
int8 rounding), or with the numbers the lessons quote: the fast ones measured here the way
lesson_numbers.py measures them, the training results read from the recorded runs in measured/.
Nothing is trained here: a model is only ever built from its settings, to count or to look inside it.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from buildai import grading
from buildai.data import load_corpus
from buildai.errors import UserError
from buildai.grading import Checker, Stop
from buildai.paths import HINDI_CORPUS

# Heavy modules (torch, the model, the presets that import it, the recorded runs) are imported inside the checks
# that need them, so an exercise done with pencil and paper is graded without loading PyTorch.

GIVEN_LOSS_NATS, GIVEN_BITS = 1.10, 1.8  # exercise 4.3, as the lesson sets it
TOP_P_EXAMPLE = {"e": 0.50, "a": 0.20, "o": 0.15, "i": 0.10, "u": 0.05}  # lesson section 5's shortlist example
CHARACTER_BITS, BPE_BYTES_PER_TOKEN, BPE_BITS_PER_TOKEN = 2.1, 2.9, 6.5  # exercise 4g.3, as the lesson sets it
DDP_PROCESSES = 2  # exercise 4g.7: torchrun --nproc_per_node 2 train.py --preset tiny
KILOBYTE = 1024  # the lesson's KB


# ------------------------------------------------------------------------------ shared helpers


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def near(value: Any, target: float, tolerance: float = 1e-3, relative: bool = False) -> bool:
    """Is the learner's value a number close to `target`? (To recognise a typical mistake.)"""
    allowed = tolerance * abs(target) if relative else tolerance
    return is_number(value) and abs(value - target) <= allowed


def word(value: Any) -> str:
    """A written answer as a plain word: lower case, letters and digits only ("1 Block" -> "1block")."""
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


@cache
def recorded(name: str) -> dict[str, Any]:
    """The numbers of one recorded run in measured/, as the lessons quote them.

    If the record no longer matches the code (someone changed a preset and has not run it again yet),
    the lessons still quote the recorded numbers, so the checks keep to them too.
    """
    from buildai.safe_io import read_json
    from level_4_mini_gpt import going_further_numbers, lesson_numbers

    runs = {run.name: run for run in lesson_numbers.RUNS + going_further_numbers.RUNS}
    try:
        return runs[name].load(lesson_numbers.HERE)
    except UserError:
        return dict(read_json(runs[name].path(lesson_numbers.HERE))["values"])


def presets() -> dict[str, dict[str, Any]]:
    """train.py's presets (importing them loads PyTorch, a few seconds)."""
    from level_4_mini_gpt.presets import PRESETS as TRAIN_PRESETS

    return TRAIN_PRESETS


def default_sizes(**changes: Any) -> dict[str, Any]:
    """The default preset's model settings (what `python train.py` builds), with some changed."""
    sizes = {name: presets()["default"][name] for name in ("n_layer", "n_head", "n_embd", "block_size", "dropout")}
    return {**sizes, **changes}


def count_parameters(**changes: Any) -> int:
    """How many numbers the default preset's GPT learns, built from its settings (not trained)."""
    from level_4_mini_gpt.model import GPTConfig, MiniGPT

    config = GPTConfig(vocab_size=load_corpus().tokenizer.vocab_size, **default_sizes(**changes))
    return MiniGPT(config).parameter_count()


def best_step_hint(given: Any, last_step: int) -> str:
    if given == last_step:
        return (f"step {last_step} is where the *training* loss is lowest; look at the held-out loss instead — "
                f"train.py writes 'best so far, saved' on the line where it is lowest")
    return "read the held-out loss on each evaluation line: at which step is it smallest?"


# ------------------------------------------------------------------------------ lesson.md


def hindi(check: Checker) -> None:
    run = recorded("tiny_hindi")
    corpus = load_corpus(HINDI_CORPUS)
    vocabulary, english = corpus.tokenizer.vocab_size, load_corpus().tokenizer.vocab_size
    answers = check.answers()

    given = answers.get("vocabulary")
    devanagari = sum("\u0900" <= character <= "\u097f" for character in set(corpus.text))
    hint = (f"{english} is the English stories' vocabulary: train.py's panel shows the Hindi one as 'vocabulary "
            f"(characters it knows)'" if given == english else
            "the space, the comma, the quote marks and the newline are characters too" if given == devanagari else
            "count the different characters of the Hindi file: len(set(text)), or read 'vocabulary' in train.py's "
            "panel")
    check.number("vocabulary", vocabulary, hint, tolerance=0)

    given = answers.get("untrained_loss")
    hint = (f"ln {english} is the English start; an untrained Hindi model chooses among {vocabulary} characters"
            if near(given, math.log(english)) else
            "that is in bits (log2); the loss is in nats: use the natural logarithm, math.log"
            if near(given, math.log2(vocabulary)) else
            f"an untrained model gives each of the {vocabulary} characters the same chance 1/{vocabulary}, and the "
            f"loss is −ln of that chance")
    check.number("untrained_loss", math.log(vocabulary), hint, tolerance=0.01)

    tiny = presets()["tiny"]
    read = tiny["max_steps"] * tiny["batch_size"] * tiny["block_size"]
    given = answers.get("times_seen")
    if near(given, read / len(corpus.text), 0.04, relative=True):
        hint = "the model learns only from the training part (the first 90%): divide by the training characters"
    elif any(near(given, read / size, 0.04, relative=True) for size in
             (len(HINDI_CORPUS.read_bytes()), len(corpus.train_text.encode("utf-8")))):
        hint = "count characters, not bytes: a Devanagari letter takes 3 bytes on disk but is one character"
    elif near(given, read / tiny["batch_size"] / len(corpus.train_text), 0.04, relative=True):
        hint = f"each step reads {tiny['batch_size']} windows, not one"
    else:
        hint = (f"characters read in the whole run (steps × windows per step × characters per window) ÷ "
                f"characters of Hindi training text")
    check.number("times_seen", read / len(corpus.train_text), hint, tolerance=0.05, relative=True)

    check.number("best_step", run["hindi_best_step"], best_step_hint(answers.get("best_step"), tiny["max_steps"]),
                 tolerance=0)
    after = "rises" if run["hindi_last_val"] > run["hindi_best_val"] else "falls"
    check.choice("held_out_after_best", after,
                 "look at the held-out loss on the lines after the best one: does it go up or down, while the "
                 "training loss keeps falling?")
    beats = "yes" if run["hindi_best_bits"] < run["hindi_history_ngram_bits"] else "no"
    check.choice("beats_ngram", beats, "compare the best held-out bits per character with the 'Score to beat' line "
                                       "at the top: the lower number wins")


BUDGET_BLOCKS, BUDGET_HEADS = ("1block", "4blocks", "6blocks"), ("1head", "8heads")


def heads_and_blocks(check: Checker) -> None:
    run = recorded("budget")
    bits = {name: run[f"budget_{name}_bits"] for name in BUDGET_BLOCKS + BUDGET_HEADS}
    best = min(bits, key=bits.get)
    answers = check.answers()
    given = answers.get("best_run")
    mine, names = word(given).rstrip("s"), {name.rstrip("s") for name in bits}  # "4 Blocks" -> "4block"
    if given is None:
        hint = "not answered yet: fill in ANSWERS['best_run'], e.g. '4 blocks'"
    elif mine not in names:
        hint = "write one of '1 block', '4 blocks', '6 blocks', '1 head', '8 heads'"
    elif mine == max(BUDGET_BLOCKS, key=lambda name: int(name[0])).rstrip("s"):
        hint = ("in a fixed time the deepest model makes the fewest steps: look at the steps each run made and its "
                "best held-out bits per character")
    elif mine in {name.rstrip("s") for name in BUDGET_HEADS}:
        hint = "the two head runs ended close together; compare the block runs"
    else:
        hint = "read 'Best held-out bits per character' in each run's report card: the lowest number wins"
    check.that("ANSWERS['best_run']", mine == best.rstrip("s"), hint)

    spread = {"blocks": max(bits[n] for n in BUDGET_BLOCKS) - min(bits[n] for n in BUDGET_BLOCKS),
              "heads": max(bits[n] for n in BUDGET_HEADS) - min(bits[n] for n in BUDGET_HEADS)}
    check.choice("matters_most", max(spread, key=spread.get),
                 "how far apart are the scores of the three block runs, and how far apart are the two head runs?")

    check.number("extra_numbers_with_8_heads", count_parameters(n_head=8) - count_parameters(n_head=1),
                 "heads split the same numbers per character into smaller slices: compare 'It learns ... numbers' "
                 "in the panels of the 1-head and the 8-head runs", tolerance=0)


def perplexity(check: Checker) -> None:
    answers = check.answers()
    ln2 = math.log(2)

    given = answers.get("bits_a")
    hint = ("divide by ln 2, don't multiply: bits = nats ÷ ln 2" if near(given, GIVEN_LOSS_NATS * ln2) else
            "use the natural log of 2 (about 0.693), not log base 10"
            if near(given, GIVEN_LOSS_NATS / math.log10(2)) else
            "bits per character = loss in nats ÷ ln 2")
    check.number("bits_a", GIVEN_LOSS_NATS / ln2, hint, tolerance=0.005)

    given = answers.get("perplexity_a")
    hint = ("the loss is in nats, so its perplexity is e ** loss (2 goes with bits)"
            if near(given, 2 ** GIVEN_LOSS_NATS, 0.01) else
            "e goes with nats and 2 with bits: e ** 1.10, or 2 ** (the bits)"
            if near(given, math.e ** (GIVEN_LOSS_NATS / ln2), 0.01) else
            "perplexity = e ** (loss in nats) = 2 ** (bits per character)")
    check.number("perplexity_a", math.exp(GIVEN_LOSS_NATS), hint, tolerance=0.01)

    given = answers.get("loss_b")
    hint = ("multiply by ln 2 to go from bits back to nats (nats are the smaller number)"
            if near(given, GIVEN_BITS / ln2) else "loss in nats = bits per character × ln 2")
    check.number("loss_b", GIVEN_BITS * ln2, hint, tolerance=0.005)

    given = answers.get("perplexity_b")
    hint = ("1.8 is in bits, so its perplexity is 2 ** 1.8 (e goes with nats)"
            if near(given, math.exp(GIVEN_BITS), 0.01) else "perplexity = 2 ** (bits per character)")
    check.number("perplexity_b", 2 ** GIVEN_BITS, hint, tolerance=0.01)

    better = "first" if math.exp(GIVEN_LOSS_NATS) < 2 ** GIVEN_BITS else "second"
    check.choice("better", better, "for loss, bits and perplexity alike, lower is better: compare the two perplexities")


# 4.4: a small GPT built from the tiny preset's settings, with sharper attention than an untrained one has, so
# a wrong scaling or the wrong head shows clearly. It is never trained: only looked inside.
HEATMAP_SENTENCE = 'The crow said, "Thank you."'


@cache
def heatmap_model() -> tuple[Any, Any]:
    import torch

    from level_4_mini_gpt.model import GPTConfig, MiniGPT

    tokenizer = load_corpus().tokenizer
    sizes = {name: presets()["tiny"][name] for name in ("n_layer", "n_head", "n_embd", "block_size")}
    torch.manual_seed(4)
    model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, **sizes)).eval()
    with torch.no_grad():
        for block in model.blocks:
            block.attention.query_key_value.weight.normal_(0.0, 0.15)
    return model, torch.tensor([tokenizer.encode(HEATMAP_SENTENCE, skip_unknown=True)])


def true_attention(model: Any, ids: Any, block_number: int, *, scaled: bool = True, block_input: bool = False) -> Any:
    """Every head's weights (heads, T, T) in one block, recomputed by hand with Level 3's attention.

    `scaled=False` and `block_input=True` give two typical mistakes: no ÷ √(head size), and reading the
    block's input instead of its LayerNorm's output (what attention really reads).
    """
    import torch

    from level_3_transformer.step2_attention import scaled_dot_product_attention

    block = model.blocks[block_number]
    attention, seen = block.attention, {}
    hooks = [attention.register_forward_hook(lambda module, inputs, output: seen.update(x=inputs[0], out=output)),
             block.register_forward_hook(lambda module, inputs, output: seen.update(block_x=inputs[0]))]
    with torch.no_grad():
        model(ids)
    for hook in hooks:
        hook.remove()
    x = seen["block_x"] if block_input else seen["x"]
    length, head_size = x.shape[1], attention.n_embd // attention.n_head
    with torch.no_grad():
        query, key, value = attention.query_key_value(x).split(attention.n_embd, dim=2)
        query, key, value = (part.view(1, length, attention.n_head, head_size).transpose(1, 2)
                             for part in (query, key, value))
        if not scaled:
            query = query * math.sqrt(head_size)
        output, weights = scaled_dot_product_attention(query, key, value, causal=True)
        if scaled and not block_input:  # our own hand-made attention must be exactly the model's
            joined = output.transpose(1, 2).reshape(1, length, attention.n_embd)
            if not torch.allclose(attention.output_projection(joined), seen["out"], atol=1e-5):
                raise RuntimeError("the hand-made attention no longer matches model.py's")
    return weights[0]


def as_table(value: Any) -> Any:
    import torch

    try:
        return torch.as_tensor(value.detach() if hasattr(value, "detach") else value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return None


def heatmap(check: Checker) -> None:
    import torch

    attention_weights = check.function("attention_weights")
    model, ids = heatmap_model()
    length, heads, blocks = ids.shape[1], model.config.n_head, model.config.n_layer
    for block_number, head_number in ((0, 0), (1, 2)):
        which = f"block {block_number}, head {head_number}"  # counted from 0, as the function's arguments are
        table = as_table(check.call(attention_weights, model, ids, block_number, head_number))
        check.require(f"{which}: a table of numbers", table is not None,
                      "return the weights as a tensor (or a list of rows of numbers)")
        while table.dim() > 2 and table.shape[0] == 1:  # a batch of one is fine
            table = table[0]
        shape = tuple(table.shape)
        check.require(f"{which}: {length} × {length}, one row per character", shape == (length, length),
                      "that is every head at once: pick one with [head_number]" if shape == (heads, length, length) else
                      f"a sentence of {length} characters gives a {length} × {length} table (one row per listening "
                      f"character); yours is {' × '.join(map(str, shape)) or 'a single number'}")
        if block_number == 0:
            rows = torch.allclose(table.sum(dim=-1), torch.ones(length), atol=1e-4)
            columns = torch.allclose(table.sum(dim=0), torch.ones(length), atol=1e-4)
            check.that(f"{which}: each row adds up to 1", rows,
                       "your columns add up to 1, not your rows: take the softmax along the last dimension (dim=-1)"
                       if columns else "each row is one character's attention, a softmax of its scores: it adds up "
                                       "to 1")
            check.that(f"{which}: nothing above the diagonal", float(table.triu(diagonal=1).abs().max()) < 1e-6,
                       "a character may not look at later ones: use the causal mask (causal=True)")
        truth = true_attention(model, ids, block_number)[head_number]
        name = f"{which}: the same weights as the model's"

        def close(other: Any) -> bool:
            return torch.allclose(table, other, atol=1e-4)

        if close(truth):
            check.that(name, True, "")
            continue
        others = [(b, h) for b in range(blocks) for h in range(heads)
                  if (b, h) != (block_number, head_number) and close(true_attention(model, ids, b)[h])]
        if others:
            hint = (f"that is the table of block {others[0][0]}, head {others[0][1]} (counting from 0): use "
                    f"model.blocks[block_number] and weights[0, head_number]")
        elif close(truth.T):
            hint = "the table is turned over: rows are the characters listening, columns the ones listened to"
        elif close(true_attention(model, ids, block_number, scaled=False)[head_number]):
            hint = ("divide the scores by √(head size) before the softmax (Level 3's scaled_dot_product_attention "
                    "does)")
        elif close(true_attention(model, ids, block_number, block_input=True)[head_number]):
            hint = ("attention reads the LayerNorm's output, not the block's input: catch the input of "
                    "model.blocks[block_number].attention")
        else:
            hint = ("catch what goes into model.blocks[block_number].attention with a forward hook, split its "
                    "query_key_value output into heads, and redo the attention with Level 3's function")
        check.that(name, False, hint)


def call_on_empty(check: Checker, function: Callable[..., Any], *args: Any) -> Any:
    """The learner's function on a text with no words: 0.0 is the answer, dividing by zero the usual slip."""
    try:
        return function(*args)
    except ZeroDivisionError:
        check.that(f"{function.__name__} of a text with no words", False,
                   "with no words it divided by zero: return 0.0 when the text has no words")
        raise Stop from None
    except Exception:  # noqa: BLE001 — any other mistake: let check.call describe it
        return check.call(function, *args)


EXPLORER_TRAINING = "The crow sat on the plate. The crow saw a mango."
EXPLORER_TEXT = "the crow ate the mango."  # 5 words: 'ate' is inside 'plate' but is not a word of the training text


def temperature_explorer(check: Checker) -> None:
    real = check.function("share_of_real_words")
    different = check.function("share_of_different_words")
    words, known = EXPLORER_TEXT.split(), set(EXPLORER_TRAINING.split())

    expected = sum(w in known for w in words) / len(words)
    got = check.call(real, EXPLORER_TEXT, EXPLORER_TRAINING)
    if near(got, sum(w in EXPLORER_TRAINING for w in words) / len(words)):
        hint = ("look words up in the set of the training text's words, not in the text as one long string: "
                "'ate' is inside 'plate' but is not a word there")
    elif near(got, sum(w in known for w in set(words)) / len(set(words))):
        hint = "count every word of the text, repeats included: 'the' appears twice and counts twice"
    else:
        hint = ("split both texts into words with .split(); the share is (words found among the training words) "
                "÷ (all words)")
    check.that(f"share_of_real_words({EXPLORER_TEXT!r}, …) is {expected:g}", near(got, expected, 1e-6), hint)

    expected = len(set(words)) / len(words)
    got = check.call(different, EXPLORER_TEXT)
    if near(got, len(set(EXPLORER_TEXT)) / len(EXPLORER_TEXT)):
        hint = "count words (text.split()), not characters"
    elif got == len(set(words)):
        hint = f"that is how many different words there are; the share divides by all {len(words)} words"
    elif near(got, sum(count == 1 for count in Counter(words).values()) / len(words)):
        hint = "a word that appears twice still counts once as a different word: count the set of the words"
    else:
        hint = "different words ÷ all words: len(set(words)) / len(words)"
    check.that(f"share_of_different_words({EXPLORER_TEXT!r}) is {expected:g}", near(got, expected, 1e-6), hint)

    for function, args in ((real, ("", EXPLORER_TRAINING)), (different, ("   ",))):
        got = call_on_empty(check, function, *args)
        check.that(f"{function.__name__} of a text with no words is 0.0", near(got, 0.0, 1e-9),
                   "a text with no words has no real and no different words: return 0.0")

    run = recorded("default")
    last = max(int(key.split("_")[1]) for key in run if re.fullmatch(r"explorer_\d+_real", key))
    for measure in ("different", "real"):
        key = f"{measure}_words_as_temperature_rises"
        direction = "rises" if run[f"explorer_{last}_{measure}"] > run[f"explorer_0_{measure}"] else "falls"
        check.choice(key, direction, f"compare the {measure}-words share at temperature 0 with the one at 2 in your "
                                     f"printout (or on your plot)")


def top_p_keeps(probabilities: Sequence[float], p: float) -> int:
    """How many characters generate.py's sampler keeps with --top-p p (temperature 1)."""
    import torch

    from level_4_mini_gpt.model import SamplingSettings, next_token_distribution

    scores = torch.log(torch.tensor(probabilities, dtype=torch.float32))
    return int((next_token_distribution(scores, SamplingSettings(temperature=1.0, top_p=p)) > 0).sum())


TOP_P_CASES = [
    (list(TOP_P_EXAMPLE.values()), 0.8),
    ([0.05, 0.15, 0.50, 0.10, 0.20], 0.8),  # not sorted: walk from the most likely
    ([0.97, 0.01, 0.01, 0.01], 0.9),  # inside a word: one sure letter
    ([0.3, 0.3, 0.2, 0.2], 0.95),
    (list(TOP_P_EXAMPLE.values()), 0.1),  # the favourite is always kept
]


def walk(probabilities: Sequence[float], p: float, *, sort: bool = True, keep_crossing: bool = True) -> int:
    """Top-p done two typical wrong ways (unsorted, or dropping the character that reaches p)."""
    kept, total = 0, 0.0
    for chance in (sorted(probabilities, reverse=True) if sort else probabilities):
        if total >= p or (not keep_crossing and total + chance > p):
            break
        kept, total = kept + 1, total + chance
    return kept


def top_k_against_top_p(check: Checker) -> None:
    import torch

    from level_4_mini_gpt.model import SamplingSettings, next_token_distribution

    shortlist = check.function("top_p_shortlist")
    for probabilities, p in TOP_P_CASES:
        expected = top_p_keeps(probabilities, p)
        got = check.call(shortlist, list(probabilities), p)
        if got == walk(probabilities, p, keep_crossing=False) != expected:
            hint = ("the character that brings the total up to p (or past it) is kept too: keep adding until the "
                    "total reaches p")
        elif got == walk(probabilities, p, sort=False) != expected:
            hint = "walk down from the most likely character: sort the chances from biggest to smallest first"
        elif is_number(got) and got < 1:
            hint = "the most likely character is always kept, however small p is"
        else:
            hint = f"sort the chances from biggest to smallest and keep adding them until the total reaches {p}"
        if not check.that(f"top_p_shortlist({probabilities}, {p}) is {expected}", got == expected, hint):
            break  # one hint at a time: the same slip would fail the other cases too

    answers = check.answers()
    letters = list(TOP_P_EXAMPLE)
    chances = next_token_distribution(torch.log(torch.tensor(list(TOP_P_EXAMPLE.values()))),
                                      SamplingSettings(temperature=1.0, top_p=0.8))
    expected = float(chances[letters.index("e")])
    given = answers.get("e_after_top_p_08")
    hint = ("after the shortlist is made, scale its chances up so they add up to 1: divide by their total"
            if near(given, TOP_P_EXAMPLE["e"]) else
            "that is the top-k 2 shortlist (e and a); top-p 0.8 keeps e, a and o"
            if near(given, TOP_P_EXAMPLE["e"] / (TOP_P_EXAMPLE["e"] + TOP_P_EXAMPLE["a"])) else
            "keep e, a and o (their chances reach 0.8), then divide e's 0.50 by the three chances' total")
    check.number("e_after_top_p_08", expected, hint, tolerance=0.002)

    given = answers.get("top_k_5_inside_a_word")
    hint = ("that is what top-p does when it is sure; top-k always keeps exactly k candidates (at any temperature "
            "above 0)" if given == 1 else "top-k keeps the k most likely characters, however sure the model is")
    check.number("top_k_5_inside_a_word", 5, hint, tolerance=0)

    rows = [row.split("│") for row in recorded("default")["explain_rows"].splitlines()]
    widest = max(rows, key=lambda cells: int(cells[-2]))  # the row where top-p kept the most candidates
    where = "start" if widest[2].strip().endswith("␣") else "middle"
    check.choice("top_p_keeps_most_at", where, "look at the 'text so far ends' column on the rows with the longest "
                                               "shortlist: what did the text just end with?")


def copying(check: Checker) -> None:
    from level_4_mini_gpt.lesson_numbers import small_stories_text
    from level_4_mini_gpt.memorisation import memorised_fraction

    run = recorded("small")
    answers = check.answers()
    text = small_stories_text()
    given = answers.get("small_characters")
    hint = ("that is nearer the whole stories' length: keep only the first 11 stories (split_paragraphs(...)[:11])"
            if is_number(given) and given > 5 * len(text) else "len() of the text you wrote to small_stories.txt")
    check.number("small_characters", len(text), hint, tolerance=0.02, relative=True)

    with tempfile.TemporaryDirectory() as folder:  # read back as train.py reads a learner's file
        path = Path(folder) / "small_stories.txt"
        path.write_text(text, encoding="utf-8")
        small = load_corpus(path)
        fresh = memorised_fraction(small.val_text, small.train_text)
    english = load_corpus()
    given = answers.get("fresh_reference")
    hint = ("write it as a share between 0 and 1: 25% is 0.25" if near(given, 100 * fresh, 1.5) else
            "that is the reference for all the stories; the meter compares with fresh writing measured against "
            "this small training text"
            if near(given, memorised_fraction(english.val_text, english.train_text), 0.01) else
            "read the meter's last line: 'new writing by the same authors scores ...'")
    check.number("fresh_reference", fresh, hint, tolerance=0.01)

    check.number("best_step", run["small_best_step"],
                 best_step_hint(answers.get("best_step"), presets()["tiny"]["max_steps"]), tolerance=0)
    # small_copy_0 was written at temperature 0.5, small_copy_1 at 0.2 (see lesson_numbers.py's "small" run).
    higher = 0.2 if run["small_copy_1_memorised"] > run["small_copy_0_memorised"] else 0.5
    check.number("meter_higher_at_temperature", higher,
                 "at which temperature did the meter read more? A lower temperature follows the model's strongest "
                 "memories more closely", tolerance=0)


# ------------------------------------------------------------------------------ lesson_going_further.md


def run_out_of_pairs(check: Checker) -> None:
    from level_4_mini_gpt.bpe import BYTES, BPETokenizer

    asked = 2048
    wanted = asked - BYTES - len(BPETokenizer([]).special_tokens)  # bytes and <|endoftext|> are not learned
    learned = len(BPETokenizer.train(load_corpus(HINDI_CORPUS).train_text, asked).merges)
    answers = check.answers()

    given = answers.get("merges_asked")
    hint = ("the special token <|endoftext|> takes one id too" if given == wanted + 1 else
            f"the first {BYTES} tokens are the bytes themselves: they are there before any merge"
            if given == asked else
            f"{asked} tokens = {BYTES} bytes + 1 special token + the merges")
    check.number("merges_asked", wanted, hint, tolerance=0)

    given = answers.get("merges_learned")
    hint = ("it stopped early: bpe_step.py's warning says after how many merges" if given == wanted else
            "that is the whole vocabulary (bytes + merges + the special token): count the merges only"
            if given == learned + BYTES + 1 else
            "run bpe_step.py with --text ../data/stories_hi.txt --vocab-size 2048 and read its warning")
    check.number("merges_learned", learned, hint, tolerance=0)

    given = answers.get("smallest_count_to_merge")
    hint = ("a pair seen once is no pattern: merging it would save nothing anywhere else" if given == 1 else
            "how many times must a pair appear before bpe.py merges it?")
    check.number("smallest_count_to_merge", 2, hint, tolerance=0)


BPE_TEXT = "lassi lassi laddoo"


@dataclass
class Round:
    """One round of BPE training by hand: every pair's count, every token's id, and the pair merged (or None)."""

    counts: Counter[tuple[str, str]]
    ids: dict[str, int]
    merged: tuple[str, str] | None

    def pair_making(self, token: str) -> tuple[str, str] | None:
        """The pair of neighbouring tokens of this round that joins into `token`, if there is one."""
        return next((pair for pair in self.counts if pair[0] + pair[1] == token), None)


def bpe_rounds(text: str) -> list[Round]:
    """BPE training on `text`, round by round, with bpe.py's rule: the commonest pair; on a tie the smaller ids.

    The check makes sure these rounds merge exactly what bpe.py's own trainer merges.
    """
    from level_4_mini_gpt.bpe import BYTES, split_chunks

    chunks = [list(chunk) for chunk in split_chunks(text)]
    ids = {character: ord(character) for chunk in chunks for character in chunk}  # ASCII: one byte a character
    rounds: list[Round] = []
    while True:
        counts = Counter(pair for chunk in chunks for pair in zip(chunk, chunk[1:]))
        best = min(counts, key=lambda pair: (-counts[pair], ids[pair[0]], ids[pair[1]]), default=None)
        if best is None or counts[best] < 2:  # a pair seen once is never merged
            rounds.append(Round(counts, dict(ids), None))
            return rounds
        rounds.append(Round(counts, dict(ids), best))
        token = best[0] + best[1]
        ids[token] = BYTES + len(rounds) - 1
        merged_chunks = []
        for chunk in chunks:
            out, i = [], 0
            while i < len(chunk):
                if tuple(chunk[i:i + 2]) == best:
                    out, i = out + [token], i + 2
                else:
                    out, i = out + [chunk[i]], i + 1
            merged_chunks.append(out)
        chunks = merged_chunks


def shown(token: str) -> str:
    return "'" + token.replace(" ", "␣") + "'"


def bpe_by_hand(check: Checker) -> None:
    from level_4_mini_gpt.bpe import BYTES, BPETokenizer, split_chunks

    tokenizer = BPETokenizer.train(BPE_TEXT, BYTES + 50)  # room for more merges than the text allows
    truth = [tokenizer.token_bytes(BYTES + i).decode("utf-8") for i in range(len(tokenizer.merges))]
    rounds = bpe_rounds(BPE_TEXT)
    if [a + b for a, b in (r.merged for r in rounds if r.merged)] != truth:
        raise RuntimeError("the by-hand rounds differ from bpe.py's trainer")
    given = check.answers().get("merges")
    if given is None:
        check.that("the merges", False, "not answered yet: fill in ANSWERS['merges'], e.g. ['ab', 'abc', ...]")
        return
    check.require("the merges are a list of pieces of text",
                  isinstance(given, (list, tuple)) and all(isinstance(piece, str) for piece in given),
                  "write the merges as a list of strings, in the order they are learned, e.g. ['ab', '␣ab']")
    mine = [piece.replace("␣", " ").replace("+", "") for piece in given]  # "␣la" and "␣+la" mean " la"
    chunks = split_chunks(BPE_TEXT)
    for number, (token, right) in enumerate(zip(mine, truth), start=1):
        if token == right:
            continue
        this = rounds[number - 1]
        pair, winner = this.pair_making(token), this.merged
        if pair is not None and this.counts[pair] == this.counts[winner]:
            tied = ", ".join(f"{shown(a)[:-1]}+{shown(b)[1:]} ({this.ids[a]}, {this.ids[b]})"
                             for a, b in this.counts if this.counts[a, b] == this.counts[winner])
            hint = (f"round {number} is a tie ({this.counts[winner]} times each): the pair with the smaller first id "
                    f"wins, and if the first ids are equal, the smaller second id — the tied pairs with their ids: "
                    f"{tied}")
        elif pair is not None:
            hint = (f"count round {number} again: {shown(token)} appears {this.counts[pair]} times, but another pair "
                    f"appears {this.counts[winner]} times")
        elif token in BPE_TEXT and not any(token in chunk for chunk in chunks):
            hint = (f"pairs are only counted inside a chunk, and the space belongs to the word after it: the chunks "
                    f"are {', '.join(shown(chunk) for chunk in chunks)}")
        else:
            hint = (f"a merge joins two tokens that stand side by side after the merges so far: {shown(token)} is not "
                    f"such a pair in round {number}")
        check.that(f"merge {number}", False, hint)
        return
    if len(mine) > len(truth):
        check.that("where it stops", False, f"after merge {len(truth)} no pair appears twice any more, and a pair "
                                            f"seen once is never merged: stop there")
    elif len(mine) < len(truth):
        check.that("where it stops", False, f"not finished: after merge {len(mine)} a pair still appears twice")
    else:
        check.that(f"all {len(truth)} merges, in order", True, "")


def fair_comparison(check: Checker) -> None:
    answers = check.answers()
    expected = BPE_BITS_PER_TOKEN / BPE_BYTES_PER_TOKEN
    given = answers.get("bpe_bits_per_byte")
    if near(given, BPE_BITS_PER_TOKEN * BPE_BYTES_PER_TOKEN, 0.01):
        hint = (f"{BPE_BITS_PER_TOKEN} bits are spent on {BPE_BYTES_PER_TOKEN} bytes, so one byte costs "
                f"{BPE_BITS_PER_TOKEN} ÷ {BPE_BYTES_PER_TOKEN}")
    elif near(given, BPE_BYTES_PER_TOKEN / BPE_BITS_PER_TOKEN, 0.01):
        hint = "the other way round: bits per token ÷ bytes per token"
    else:
        hint = "bits per byte = bits per token ÷ bytes per token"
    check.number("bpe_bits_per_byte", expected, hint, tolerance=0.01)

    given = answers.get("character_bits_per_byte")
    hint = ("the character model reads characters, not BPE tokens: for English one character is one byte"
            if near(given, CHARACTER_BITS / BPE_BYTES_PER_TOKEN, 0.01) else
            "in English text one character is one byte")
    check.number("character_bits_per_byte", CHARACTER_BITS, hint, tolerance=0.01)

    better = "character" if CHARACTER_BITS < expected else "bpe"
    check.choice("better", better, "compare bits per byte, not bits per token: fewer bits for the same text is better")


def where_the_numbers_went(check: Checker) -> None:
    from level_4_mini_gpt.modern import swiglu_hidden_size

    sizes = default_sizes()
    layers, width = sizes["n_layer"], sizes["n_embd"]
    head_size = width // sizes["n_head"]
    base = count_parameters()
    answers = check.answers()

    def check_change(key: str, switch: dict[str, Any], mistakes: list[tuple[int, str]], hint: str) -> None:
        expected = count_parameters(**switch) - base
        given = answers.get(key)
        for wrong, why in [(-expected, "check the sign: write the change as a minus number when it removes numbers, "
                                       "plus when it adds them"), *mistakes]:
            if wrong != expected and given == wrong:
                hint = why
                break
        check.number(key, expected, hint, tolerance=0)

    vocabulary = load_corpus().tokenizer.vocab_size
    check_change("rope", {"position": "rope"}, [(-vocabulary * width, "that is the table of characters; RoPE removes "
                                                                      "the table of positions")],
                 "RoPE has no table of positions: how many positions, and how many numbers each?")
    norms = 2 * layers + 1
    check_change("rms", {"norm": "rms"},
                 [(-2 * layers * width,
                   f"don't forget the final norm before the output head: 2 per block × {layers} + 1"),
                  (-2 * norms * width, "RMSNorm keeps its learned stretch (weight); only the shift (bias) goes")],
                 "each norm drops its learned shift: how many numbers is that, and how many norms are there?")
    hidden, gelu = swiglu_hidden_size(width), 4 * width
    per_block = 3 * width * hidden + 2 * hidden + width - (2 * width * gelu + gelu + width)
    check_change("swiglu", {"mlp": "swiglu"},
                 [(3 * (3 * width * hidden - 2 * width * gelu), "the Linear layers have biases too: one per output"),
                  (per_block, f"that is one block; there are {layers}")],
                 f"per block: 3 Linear layers of {width} × {hidden} against GPT-2's {width} × {gelu} and "
                 f"{gelu} × {width}, with their biases")
    outputs = (sizes["n_head"] - 2) * 2 * head_size  # key and value outputs that grouped-query attention drops
    check_change("kv_heads_2", {"n_kv_head": 2},
                 [(-outputs * width * layers, "each output of the query/key/value layer has a bias too"),
                  (-outputs * (width + 1), f"that is one block; there are {layers}"),
                  (-outputs // 2 * (width + 1) * layers, "keys and values both shrink, not only the keys")],
                 f"count the outputs of the query/key/value layer: (queries + keys + values) × {head_size} per block, "
                 f"before and after")


def cache_bytes(kv_heads: int) -> int:
    """The KV cache of one full window, measured: a default-preset GPT writes a whole window into its cache."""
    import torch

    from level_4_mini_gpt.model import GPTConfig, LayerCache, MiniGPT

    config = GPTConfig(vocab_size=load_corpus().tokenizer.vocab_size, **default_sizes(n_kv_head=kv_heads))
    model = MiniGPT(config).eval()
    caches = [LayerCache(config.block_size) for _ in model.blocks]
    with torch.no_grad():
        model(torch.zeros(1, config.block_size, dtype=torch.long), cache=caches)
    return sum(layer.keys.nbytes + layer.values.nbytes for layer in caches)


def cache_size(check: Checker) -> None:
    sizes = default_sizes()
    layers, context = sizes["n_layer"], sizes["block_size"]
    full = {heads: cache_bytes(heads) for heads in (sizes["n_head"], 2, 1)}
    answers = check.answers()

    per_position = full[sizes["n_head"]] / context
    given = answers.get("bytes_per_position")
    hint = ("keys AND values: two numbers for every key/value head's slot, not one" if given == per_position / 2 else
            "each number is a float32: 4 bytes" if given == per_position / 4 else
            f"every block keeps its own cache: × {layers}" if given == per_position / layers else
            "2 (key and value) × key/value heads × head size × 4 bytes, for every block")
    check.number("bytes_per_position", per_position, hint, tolerance=0)

    for heads, label in ((sizes["n_head"], f"kb_{sizes['n_head']}_heads"), (2, "kb_2_heads"), (1, "kb_1_head")):
        expected, given = full[heads] / KILOBYTE, answers.get(label)
        hint = ("1 KB is 1,024 bytes here" if near(given, full[heads] / 1000, 0.05) else
                "keys AND values: two numbers for every slot" if near(given, expected / 2) else
                "each number is a float32: 4 bytes" if near(given, expected / 4) else
                f"every block keeps its own cache: × {layers}" if near(given, expected / layers) else
                "the cache shrinks with the key/value heads: half the heads, half the cache"
                if heads != sizes["n_head"] and near(given, full[sizes["n_head"]] / KILOBYTE) else
                f"bytes per position × {context} positions ÷ 1,024")
        check.number(label, expected, hint, tolerance=0.5)


def int8_by_hand(check: Checker) -> None:
    import torch

    from level_4_mini_gpt.going_further_numbers import HAND_ROW, int8_numbers
    from level_4_mini_gpt.quantize import LEVELS, dequantize_weight, quantize_weight

    q, scale = quantize_weight(torch.tensor([HAND_ROW]))
    stored, step = [int(value) for value in q.flatten()], float(scale)
    largest = max(abs(value) for value in HAND_ROW)
    answers = check.answers()

    given = answers.get("step")
    hint = (f"the largest weight should become exactly {LEVELS}: divide by {LEVELS}"
            if any(near(given, largest / n, 1e-5) for n in (128, 255, 256)) else
            f"step = largest ÷ {LEVELS}, not the other way round" if near(given, LEVELS / largest, 0.01) else
            f"step = (the largest |w| in the row) ÷ {LEVELS}")
    check.number("step", step, hint, tolerance=5e-5)

    given = answers.get("stored")
    if given is None:
        check.that("ANSWERS['stored']", False, "not answered yet: fill in ANSWERS['stored'] with four whole numbers")
    else:
        mine = None if isinstance(given, str) or not hasattr(given, "__iter__") else list(given)  # a list, tuple, array
        truncated = [math.trunc(round(value / step, 6)) for value in HAND_ROW]  # chopped instead of rounded
        hint = ("round to the nearest whole number, don't chop: −43.74 becomes −44" if mine == truncated else
                "divide each weight by the step first" if mine == [round(value * LEVELS) for value in HAND_ROW] else
                f"one whole number for each of the {len(HAND_ROW)} weights"
                if mine is None or len(mine) != len(HAND_ROW) else
                "divide each weight by the step and round to the nearest whole number")
        check.that("ANSWERS['stored']", mine == stored, hint)

    back = dequantize_weight(q, scale).flatten().tolist()
    change = max(abs(a - b) for a, b in zip(HAND_ROW, back))
    given = answers.get("largest_change")
    hint = ("that is half a step, the most rounding can ever move a weight; the question is how far it really moved"
            if near(given, step / 2, 5e-5) else
            "multiply each stored number by the step and compare with the original weight: the biggest difference")
    check.number("largest_change", change, hint, tolerance=2e-4)

    ratios = {"tiny": recorded("int8")["q_ratio"], "default": int8_numbers()["memory_ratio"]}
    given = answers.get("size_ratio")
    passed = any(near(given, ratio, 0.05) for ratio in ratios.values())
    hint = ("the other way round: the float32 size ÷ the int8 size" if is_number(given) and 0 < given < 1 else
            "4 would be the Linear weights alone; embeddings, norms and biases stay float32: read your table"
            if near(given, 4, 0.05) else
            "read the line 'The int8 file is ...x smaller' that quantize_step.py prints")
    if given is None:
        check.that("ANSWERS['size_ratio']", False, "not answered yet: fill in ANSWERS['size_ratio'] from your table")
    else:
        check.that("ANSWERS['size_ratio']", passed, hint)


def two_processes(check: Checker) -> None:
    batch = presets()["tiny"]["batch_size"]
    answers = check.answers()
    given = answers.get("windows_per_step")
    hint = (f"--batch-size is per process: each of the {DDP_PROCESSES} takes its own {batch}" if given == batch else
            "the batch is not cut into parts: each process takes a whole batch of its own"
            if given == batch // DDP_PROCESSES else
            "windows per process × processes")
    check.number("windows_per_step", batch * DDP_PROCESSES, hint, tolerance=0)
    check.choice("windows_per_minute_own_processors", "twice",
                 "each process has a processor of its own, so a step takes about as long as before — and learns from "
                 "more windows")
    check.choice("windows_per_minute_two_core_laptop", "same",
                 "on a 2-core laptop both processes share the same two cores, so each goes about half as fast")
    check.choice("models_at_the_end", "same",
                 "they start equal, average the same gradients and take the same step, every step")
    given = answers.get("processes_that_save")
    check.number("processes_that_save", 1, "the copies are identical, so one of them (rank 0) is enough"
                 if is_number(given) and given > 1 else "how many copies need saving if they are all the same?",
                 tolerance=0)


CHECKS = {
    "4.1": hindi, "4.2": heads_and_blocks, "4.3": perplexity, "4.4": heatmap, "4.5": temperature_explorer,
    "4.6": top_k_against_top_p, "4.7": copying,
    "4g.1": run_out_of_pairs, "4g.2": bpe_by_hand, "4g.3": fair_comparison, "4g.4": where_the_numbers_went,
    "4g.5": cache_size, "4g.6": int8_by_hand, "4g.7": two_processes,
}

if __name__ == "__main__":
    grading.main(CHECKS)
