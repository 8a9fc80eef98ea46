"""Level 4's exercises (both lessons): the reference answers pass, typical wrong answers get the hint meant for them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from buildai.data import load_corpus, split_paragraphs
from buildai.exercises import exercises_of, find_exercise
from buildai.grading import load_answer
from buildai.paths import HINDI_CORPUS
from level_4_mini_gpt.memorisation import memorised_fraction
from level_4_mini_gpt.presets import PRESETS
from tests.exercise_helpers import assert_all_pass, assert_hint, grade_file, grade_source

GRADABLE = [exercise for exercise in exercises_of("4") if exercise.gradable]


@pytest.mark.parametrize("exercise", GRADABLE, ids=lambda exercise: exercise.id)
def test_reference_answer_passes(exercise) -> None:
    assert_all_pass(grade_file(exercise.id, exercise.reference_path))


def reference_answers(exercise_id: str) -> dict[str, Any]:
    """The reference file's ANSWERS, so each wrong answer below changes one thing and keeps the rest right."""
    names, problem = load_answer(find_exercise(exercise_id).reference_path)
    assert names is not None, problem
    return dict(names["ANSWERS"])


def changed(exercise_id: str, **changes: Any) -> str:
    """An answer file: the reference's ANSWERS with some of them changed."""
    return f"ANSWERS = {dict(reference_answers(exercise_id), **changes)!r}\n"


# Measured values the wrong answers are built from, so they stay wrong in the same way if a text or preset changes.
DEFAULT, TINY = PRESETS["default"], PRESETS["tiny"]
ENGLISH_VOCABULARY = load_corpus().tokenizer.vocab_size
HINDI = load_corpus(HINDI_CORPUS)
HINDI_VOCABULARY = HINDI.tokenizer.vocab_size
READ = TINY["max_steps"] * TINY["batch_size"] * TINY["block_size"]
SMALL_TEXT = "\n\n".join(split_paragraphs(load_corpus().text)[:11]) + "\n"
ENGLISH_FRESH = memorised_fraction(load_corpus().val_text, load_corpus().train_text)
LAYERS, WIDTH, HEADS = DEFAULT["n_layer"], DEFAULT["n_embd"], DEFAULT["n_head"]
HEAD_SIZE = WIDTH // HEADS
PER_POSITION = 2 * HEADS * HEAD_SIZE * 4 * LAYERS  # the KV cache of one position, GPT-2's design
STEP = 0.9 / 127

# 4.4: the usual ways to get one head's attention weights wrong, written as a learner would.
HEATMAP = """
import math
import torch

def attention_weights(model, ids, block_number, head_number):
    layer = model.blocks[block_number]{where}
    seen = {{}}
    hook = layer.register_forward_hook(lambda module, inputs, output: seen.update(x=inputs[0]))
    with torch.no_grad():
        model(ids)
    hook.remove()
    attention = model.blocks[block_number].attention
    x, size = seen["x"], attention.n_embd // attention.n_head
    length = x.shape[1]
    with torch.no_grad():
        q, k, v = attention.query_key_value(x).split(attention.n_embd, dim=2)
        q, k = (t.view(1, length, attention.n_head, size).transpose(1, 2) for t in (q, k))
        scores = q @ k.transpose(-2, -1){scale}
        {mask}
        weights = torch.softmax(scores, dim={dim})
    return weights[0{head}]
"""
MASK = "scores = scores.masked_fill(torch.ones(length, length).triu(1).bool(), float('-inf'))"


def heatmap(where: str = ".attention", scale: str = " / math.sqrt(size)", mask: str = MASK, dim: int = -1,
            head: str = ", head_number") -> str:
    return HEATMAP.format(where=where, scale=scale, mask=mask, dim=dim, head=head)


EXPLORER = """
def share_of_real_words(text, training_text):
    words = text.split()
    {real}

def share_of_different_words(text):
    words = text.split()
    {different}

ANSWERS = {{"different_words_as_temperature_rises": "rises", "real_words_as_temperature_rises": "{real_direction}"}}
"""
REAL = "return sum(w in set(training_text.split()) for w in words) / len(words) if words else 0.0"
DIFFERENT = "return len(set(words)) / len(words) if words else 0.0"


def explorer(real: str = REAL, different: str = DIFFERENT, real_direction: str = "falls") -> str:
    return EXPLORER.format(real=real, different=different, real_direction=real_direction)


TOP_P = """
def top_p_shortlist(probabilities, p):
    kept, total = 0, 0.0
    for chance in {order}:
        if {stop}:
            break
        kept, total = kept + 1, total + chance
    return kept

ANSWERS = {answers!r}
"""


def top_p(order: str = "sorted(probabilities, reverse=True)", stop: str = "total >= p", **answers: Any) -> str:
    return TOP_P.format(order=order, stop=stop, answers=dict(reference_answers("4.6"), **answers))


WRONG = {
    "4.1": [
        (changed("4.1", vocabulary=ENGLISH_VOCABULARY, untrained_loss=math.log(ENGLISH_VOCABULARY)),
         "is the English stories' vocabulary"),
        (changed("4.1", untrained_loss=math.log(ENGLISH_VOCABULARY)), "is the English start"),
        (changed("4.1", untrained_loss=math.log2(HINDI_VOCABULARY)), "that is in bits (log2)"),
        (changed("4.1", times_seen=READ / len(HINDI.text)), "only from the training part"),
        (changed("4.1", best_step=TINY["max_steps"]), "is where the *training* loss is lowest"),
        (changed("4.1", held_out_after_best="falls", beats_ngram="yes"), "does it go up or down"),
    ],
    "4.2": [
        (changed("4.2", best_run="6 blocks"), "the deepest model makes the fewest steps"),
        (changed("4.2", best_run="8 heads"), "the two head runs ended close together"),
        (changed("4.2", matters_most="heads"), "how far apart are the scores"),
        (changed("4.2", extra_numbers_with_8_heads=7 * WIDTH), "heads split the same numbers per character"),
    ],
    "4.3": [
        (changed("4.3", bits_a=1.10 * math.log(2)), "divide by ln 2, don't multiply"),
        (changed("4.3", perplexity_a=2 ** 1.10), "so its perplexity is e ** loss"),
        (changed("4.3", loss_b=1.8 / math.log(2)), "multiply by ln 2"),
        (changed("4.3", perplexity_b=math.exp(1.8)), "1.8 is in bits"),
        (changed("4.3", better="second"), "lower is better"),
    ],
    "4.4": [
        (heatmap(scale=""), "divide the scores by √(head size)"),
        (heatmap(mask=""), "use the causal mask"),
        (heatmap(dim=-2), "your columns add up to 1"),
        (heatmap(head=", head_number - 1"), "counting from 0"),
        (heatmap(where=""), "attention reads the LayerNorm's output"),
        (heatmap(head=""), "that is every head at once"),
    ],
    "4.5": [
        (explorer(real="return sum(w in training_text for w in words) / len(words) if words else 0.0"),
         "not in the text as one long string"),
        (explorer(different="return len(set(text)) / len(text) if text else 0.0"),
         "count words (text.split()), not characters"),
        (explorer(different="return len(set(words))"), "that is how many different words there are"),
        (explorer(different="return len(set(words)) / len(words)"), "divided by zero"),
        (explorer(real_direction="rises"), "compare the real-words share"),
    ],
    "4.6": [
        (top_p(stop="total + chance > p"), "is kept too"),
        (top_p(order="probabilities"), "sort the chances from biggest to smallest first"),
        (top_p(e_after_top_p_08=0.5), "scale its chances up"),
        (top_p(e_after_top_p_08=0.5 / 0.7), "that is the top-k 2 shortlist"),
        (top_p(top_k_5_inside_a_word=1), "top-k always keeps exactly k"),
        (top_p(top_p_keeps_most_at="middle"), "what did the text just end with"),
    ],
    "4.7": [
        (changed("4.7", small_characters=len(load_corpus().text)), "keep only the first 11 stories"),
        (changed("4.7", fresh_reference=round(100 * reference_answers("4.7")["fresh_reference"])),
         "as a share between 0 and 1"),
        (changed("4.7", fresh_reference=ENGLISH_FRESH), "the reference for all the stories"),
        (changed("4.7", best_step=TINY["max_steps"]), "is where the *training* loss is lowest"),
        (changed("4.7", meter_higher_at_temperature=0.5), "A lower temperature follows"),
    ],
    "4g.1": [
        (changed("4g.1", merges_asked=2048 - 256), "the special token <|endoftext|> takes one id too"),
        (changed("4g.1", merges_asked=2048), "are the bytes themselves"),
        (changed("4g.1", merges_learned=2048 - 256 - 1), "it stopped early"),
        (changed("4g.1", merges_learned=reference_answers("4g.1")["merges_learned"] + 257),
         "that is the whole vocabulary"),
        (changed("4g.1", smallest_count_to_merge=1), "a pair seen once is no pattern"),
    ],
    "4g.2": [
        ("ANSWERS = {'merges': ['la', 'las', 'si', 'ssi']}", "round 2 is a tie"),
        ("ANSWERS = {'merges': ['la', '␣la', 'ss', 'ssi']}", "round 3 is a tie"),
        ("ANSWERS = {'merges': ['ss', 'la']}", "count round 1 again"),
        ("ANSWERS = {'merges': ['la', 'i l']}", "the space belongs to the word after it"),
        ("ANSWERS = {'merges': ['la', ' la', 'si', 'ssi', ' lad']}", "stop there"),
        ("ANSWERS = {'merges': ['la', ' la', 'si']}", "not finished"),
        ("ANSWERS = {'merges': 'la, ␣la, si, ssi'}", "write the merges as a list of strings"),
    ],
    "4g.3": [
        (changed("4g.3", bpe_bits_per_byte=6.5 * 2.9), "so one byte costs"),
        (changed("4g.3", bpe_bits_per_byte=2.9 / 6.5), "the other way round"),
        (changed("4g.3", character_bits_per_byte=2.1 / 2.9), "for English one character is one byte"),
        (changed("4g.3", better="bpe"), "compare bits per byte"),
    ],
    "4g.4": [
        (changed("4g.4", rope=-reference_answers("4g.4")["rope"]), "check the sign"),
        (changed("4g.4", rms=-2 * LAYERS * WIDTH), "don't forget the final norm"),
        (changed("4g.4", rms=-2 * (2 * LAYERS + 1) * WIDTH), "keeps its learned stretch"),
        (changed("4g.4", swiglu=reference_answers("4g.4")["swiglu"] // LAYERS), "that is one block"),
        (changed("4g.4", kv_heads_2=-(HEADS - 2) * 2 * HEAD_SIZE * WIDTH * LAYERS), "has a bias too"),
        (changed("4g.4", kv_heads_2=-(HEADS - 2) * HEAD_SIZE * (WIDTH + 1) * LAYERS), "keys and values both shrink"),
    ],
    "4g.5": [
        (changed("4g.5", bytes_per_position=PER_POSITION // 2), "keys AND values"),
        (changed("4g.5", kb_4_heads=PER_POSITION * DEFAULT["block_size"] / 1000), "1 KB is 1,024 bytes here"),
        (changed("4g.5", kb_4_heads=PER_POSITION * DEFAULT["block_size"] / 1024 / LAYERS),
         "every block keeps its own cache"),
        (changed("4g.5", kb_2_heads=PER_POSITION * DEFAULT["block_size"] / 1024), "half the heads, half the cache"),
    ],
    "4g.6": [
        (changed("4g.6", step=0.9 / 128), "divide by 127"),
        (changed("4g.6", stored=[math.trunc(round(w / STEP, 6)) for w in (0.9, -0.31, 0.047, -0.6)]), "don't chop"),
        (changed("4g.6", stored=[round(w * 127) for w in (0.9, -0.31, 0.047, -0.6)]),
         "divide each weight by the step first"),
        (changed("4g.6", largest_change=STEP / 2), "that is half a step"),
        (changed("4g.6", size_ratio=1 / reference_answers("4g.6")["size_ratio"]), "the other way round"),
        (changed("4g.6", size_ratio=4), "4 would be the Linear weights alone"),
    ],
    "4g.7": [
        (changed("4g.7", windows_per_step=TINY["batch_size"]), "--batch-size is per process"),
        (changed("4g.7", windows_per_step=TINY["batch_size"] // 2), "the batch is not cut into parts"),
        (changed("4g.7", windows_per_minute_two_core_laptop="twice"), "share the same two cores"),
        (changed("4g.7", models_at_the_end="different"), "they start equal"),
        (changed("4g.7", processes_that_save=2), "rank 0"),
    ],
}
CASES = [(exercise_id, source, hint) for exercise_id, cases in WRONG.items() for source, hint in cases]


@pytest.mark.parametrize("exercise_id, source, hint", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_wrong_answer_gets_its_hint(exercise_id: str, source: str, hint: str, tmp_path: Path) -> None:
    assert_hint(grade_source(exercise_id, source, tmp_path), hint)


def test_every_gradable_exercise_has_two_wrong_answers() -> None:
    assert {exercise.id for exercise in GRADABLE} == set(WRONG)
    assert all(len(cases) >= 2 for cases in WRONG.values())


def test_the_going_further_lesson_is_its_own_selection() -> None:
    """`buildai check 4g` grades the going-further lesson's seven; `buildai check 4` all fourteen."""
    assert [exercise.id for exercise in exercises_of("4g")] == [f"4g.{n}" for n in range(1, 8)]
    assert all(exercise.lesson == "lesson_going_further.md" for exercise in exercises_of("4g"))
    assert len(exercises_of("4")) == 14
