"""The measured numbers Level 1's lesson.md and solutions.md quote, and how each is measured.

Every count, probability and score below comes from running this level's own functions on the
course stories (or on the small texts the exercises use), seeded like the step scripts. So when the
stories change, `--update` rewrites the lesson and the test in tests/level_1 says if anything is stale.

    python lesson_numbers.py            # check every quoted number
    python lesson_numbers.py --update   # measure again and rewrite the quoted values
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from buildai import ui
from buildai.data import load_corpus, split_paragraphs, train_val_split
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Values
from buildai.paths import DEFAULT_CORPUS, HINDI_CORPUS
from level_1_prediction.display import default_start, readable
from level_1_prediction.step1_bigram import bigram_probabilities, count_bigrams, top_pairs
from level_1_prediction.step2_generate import generation_steps, top_choices
from level_1_prediction.step3_ngram import DEFAULT_K, NGramModel, evaluate_orders, unseen_context_share

ORDERS = range(1, 7)  # what step3_ngram.py tries by default
TRACE_ROWS = 5  # rows of step 2's trace that the lesson shows
SAMPLE_LENGTH = 200  # step 2's default --length
SAMPLE_SHOWN = 90  # characters of the first sample the lesson shows
SEED = 42  # the step scripts' default seed
# Exercise 5's file, as printed in solutions.md.
TINY_TEXT = ("Meera drinks chai every morning. Ravi drinks chai every evening. Meera and Ravi share a plate "
             "of samosas at the stall near the station.\n")


def _bigram_numbers(text: str) -> dict[str, float]:
    """Step 1 on the whole stories, and the rows of step 2 the lesson shows."""
    counts = count_bigrams(text)
    probabilities = bigram_probabilities(counts)
    values: dict[str, float] = {
        "characters": len(text), "vocabulary": len(set(text)), "thousand_characters": round(len(text) / 1000),
        "hundred_characters": round(len(text) / 100) * 100,
        "after_t_h": probabilities["t"]["h"], "after_h_e": probabilities["h"]["e"],
        "after_q_u": probabilities["q"]["u"], "q_u": counts["q"]["u"], "q_dot": counts["q"].get(".", 0),
        "q_total": sum(counts["q"].values()), "p_q_dot": counts["q"].get(".", 0) / sum(counts["q"].values()),
        "space_share": text.count(" ") / len(text), "e_share": text.count("e") / len(text),
        "capital_q": text.count("Q"), "capital_x": text.count("X"),
    }
    for rank, (_, _, count) in enumerate(top_pairs(counts, 4), start=1):
        values[f"pair_{rank}"] = count
    # The ruler after 't': the running total of the four most likely next characters.
    running = 0.0
    for rank, (_, chance) in enumerate(top_choices(probabilities["t"], 4), start=1):
        values[f"t_chance_{rank}"] = chance
        running += chance
        values[f"t_total_{rank}"] = running
    # Step 2's first sample and its trace, as `python step2_generate.py` writes them.
    start = default_start(text)
    steps = list(generation_steps(probabilities, start, SAMPLE_LENGTH, random.Random(SEED)))
    values["start"] = start
    values["sample"] = (start + "".join(step.chosen for step in steps))[:SAMPLE_SHOWN].replace("\n", "  ")
    values["trace"] = trace_table(start, steps[:TRACE_ROWS])
    values["row5_after"], values["row5_picked"] = readable(steps[4].previous), readable(steps[4].chosen)
    values["row5_favourite"] = readable(top_choices(steps[4].distribution, 1)[0][0])
    values["row5_draw"] = steps[4].draw
    # Exercise 2: what follows 'th' in the whole stories.
    after_th = {}
    for index in range(len(text) - 2):
        if text[index : index + 2] == "th":
            after_th[text[index + 2]] = after_th.get(text[index + 2], 0) + 1
    values["th_whole"] = sum(after_th.values())
    for rank, (_, count) in enumerate(sorted(after_th.items(), key=lambda item: -item[1])[:3], start=1):
        values[f"th_next_{rank}"] = count
        values[f"th_next_{rank}_p"] = count / values["th_whole"]
    return values


def trace_table(start: str, steps: list) -> str:
    """The first rows of step 2's trace, in the layout the script prints."""
    lines = ["│ # │ after │ top candidates                 │  draw │ picked │ text so far │"]
    text = start
    for row, step in enumerate(steps, start=1):
        text += step.chosen
        candidates = ", ".join(f"{readable(ch)} {chance:.2f}" for ch, chance in top_choices(step.distribution, 4))
        shown = repr(text[-9:]).replace("\\n", "\\n")
        lines.append(f"│ {row} │ {readable(step.previous):^5} │ {candidates:<30} │ {step.draw:.3f} │ "
                     f"{readable(step.chosen):^6} │ {shown:<11} │")
    return "\n".join(lines)


def _ngram_numbers(train_text: str, val_text: str, prefix: str = "") -> dict[str, float]:
    """Step 3: every order's scores, as its table prints them."""
    results = evaluate_orders(train_text, val_text, ORDERS)
    values: dict[str, float] = {}
    for result in results:
        n = result.order
        values[f"{prefix}contexts_{n}"] = len(result.model.counts)
        values[f"{prefix}train_bits_{n}"] = result.train_bits
        values[f"{prefix}train_ppl_{n}"] = result.train_perplexity
        values[f"{prefix}val_bits_{n}"] = result.val_bits
        values[f"{prefix}val_ppl_{n}"] = result.val_perplexity
    best = min(results, key=lambda result: result.val_bits)
    values[f"{prefix}contexts_6_rounded"] = round(values[f"{prefix}contexts_6"], -3)
    values[f"{prefix}best_order"] = best.order
    values[f"{prefix}best_bits"] = best.val_bits
    values[f"{prefix}best_ppl"] = best.val_perplexity
    values[f"{prefix}unseen_6"] = unseen_context_share(results[-1].model, val_text)
    return values


def _smoothing_numbers(train_text: str, val_text: str) -> dict[str, float]:
    """Section 8 and exercise 7: add-k smoothing for the context 'th' in the training part, and k tuning."""
    vocabulary = set(train_text) | set(val_text)
    model = NGramModel(3, k=DEFAULT_K, vocabulary=vocabulary).fit(train_text)
    seen, followed = model.context_totals["th"], model.counts["th"]["e"]
    values: dict[str, float] = {"th_train": seen, "th_e_train": followed, "vocabulary_split": len(vocabulary)}
    for name, k in (("small_k", DEFAULT_K), ("k1", 1.0)):
        denominator = seen + k * len(vocabulary)
        values[f"{name}_numerator"] = followed + k
        values[f"{name}_denominator"] = denominator
        values[f"{name}_p_e"] = (followed + k) / denominator
        values[f"{name}_p_z"] = k / denominator
    largest = NGramModel(6, k=DEFAULT_K, vocabulary=vocabulary).fit(train_text)
    for k_name, k in (("k0001", 0.001), ("k003", 0.03), ("k1", 1.0)):
        for n in (2, 4, 6):
            values[f"tune_{k_name}_{n}"] = largest.with_order(n).with_smoothing(k).bits_per_char(val_text)
    return values


def _tiny_numbers() -> dict[str, float]:
    """Exercise 5: the three-sentence file."""
    train_text, val_text = train_val_split(TINY_TEXT)
    values: dict[str, float] = {"tiny_characters": len(TINY_TEXT), "tiny_train": len(train_text),
                                "tiny_val": len(val_text), "tiny_vocabulary": len(set(TINY_TEXT))}
    values.update(_ngram_numbers(train_text, val_text, prefix="tiny_"))
    unigram = NGramModel(1, k=DEFAULT_K, vocabulary=set(TINY_TEXT)).fit(train_text)
    newline = unigram.probability("", "\n")
    values["tiny_newline_p"] = newline
    values["tiny_newline_bits"] = -math.log2(newline)
    return values


def _hindi_numbers() -> dict[str, float]:
    """Exercise 3 on the Hindi stories."""
    corpus = load_corpus(HINDI_CORPUS)
    counts = count_bigrams(corpus.text)
    values: dict[str, float] = {f"hindi_pair_{rank}": count
                                for rank, (_, _, count) in enumerate(top_pairs(counts, 2), start=1)}
    values["hindi_hundred_characters"] = round(len(corpus.text) / 100) * 100
    values.update(_ngram_numbers(corpus.train_text, corpus.val_text, prefix="hindi_"))
    return values


def _data_card_numbers() -> dict[str, float]:
    """The size table of data/DATA_CARD.md, for both story files."""
    values: dict[str, float] = {}
    for name, path in (("en", DEFAULT_CORPUS), ("hi", HINDI_CORPUS)):
        corpus = load_corpus(path)
        pieces = [len(piece) for piece in split_paragraphs(corpus.text)]
        values.update({
            f"card_{name}_bytes": len(path.read_bytes()), f"card_{name}_characters": len(corpus.text),
            f"card_{name}_pieces": len(pieces), f"card_{name}_vocabulary": corpus.tokenizer.vocab_size,
            f"card_{name}_train": len(corpus.train_text), f"card_{name}_val": len(corpus.val_text),
            f"card_{name}_shortest": min(pieces), f"card_{name}_longest": max(pieces),
            f"card_{name}_mean_piece": round(sum(pieces) / len(pieces), -1),
        })
    return values


def measure() -> dict[str, float]:
    """Every number the lesson and the solutions quote (a few seconds)."""
    corpus = load_corpus()
    values = _bigram_numbers(corpus.text)
    values.update(_ngram_numbers(corpus.train_text, corpus.val_text))
    values.update(_smoothing_numbers(corpus.train_text, corpus.val_text))
    values.update(_tiny_numbers())
    values.update(_hindi_numbers())
    values.update(_data_card_numbers())
    values["size_ratio"] = math.floor(values["characters"] / values["hindi_hundred_characters"])  # "more than N times"
    values["vocabulary_log2"] = math.log2(values["vocabulary"])
    return values


def one_block_each(value: float) -> str:
    """A bar with one block per unit (eighths of a block for the rest)."""
    return ui.bar(value, 100, width=100)


def perplexity_bars(values: Values) -> str:
    """Section 10's picture: training and held-out perplexity side by side, one block = 1."""
    lines = ["  n   training text (seen)              held-out text (never seen)"]
    for n in ORDERS:
        train, held_out = values[f"train_ppl_{n}"], values[f"val_ppl_{n}"]
        line = f"  {n}  {train:5.1f}  {one_block_each(train):<27}{held_out:5.1f}  {one_block_each(held_out)}"
        if n == values["best_order"]:
            line = f"{line:<62}◄ best on new text"
        lines.append(line)
    return "\n".join(lines)


def _ngram_row(n: int) -> Quote:
    return Quote("lesson.md", f"│ {n} │ {n - 1} │ {{contexts_{n}:,}} │ {{train_bits_{n}:.3f}} │ {{train_ppl_{n}:.2f}} │ "
                              f"{{val_bits_{n}:.3f}} │ {{val_ppl_{n}:.2f}} │")


QUOTES: list[Quote | Block] = [
    # Sections 2 to 4 and step 1's output
    Quote("lesson.md", "about {thousand_characters:,},000 characters, written for this course) use\n**{vocabulary} different characters**"),
    Quote("lesson.md", "the letter `q` is followed by `u` {q_u} times and by `.` once"),
    Quote("lesson.md", "counts['q']        = {{'u': {q_u}, '.': {q_dot}}}          total {q_total}"),
    Quote("lesson.md", "{{'u': {q_u}/{q_total}, '.': {q_dot}/{q_total}}}  = {{'u': {after_q_u:.3f}, '.': {p_q_dot:.3f}}}"),
    Quote("lesson.md", "Characters in text: {characters:,}\nCharacters in vocabulary: {vocabulary}"),
    Quote("lesson.md", "│ e -> ␣ │ {pair_1:,} │"),
    Quote("lesson.md", "│ ␣ -> t │ {pair_2:,} │"),
    Quote("lesson.md", "│ h -> e │ {pair_3:,} │"),
    Quote("lesson.md", "│ t -> h │ {pair_4:,} │"),
    Quote("lesson.md", "Most common pair: 'e' -> '␣' ({pair_1:,} times)"),
    Quote("lesson.md", "Most likely after 't': 'h' ({after_t_h:.2f})\nMost likely after 'h': 'e' ({after_h_e:.2f})\n"
                       "Most likely after 'q': 'u' ({after_q_u:.2f})"),
    # Section 5: the ruler and the trace
    Quote("lesson.md", "0.0           {t_total_1:.2f}          {t_total_2:.2f}    {t_total_3:.2f}  {t_total_4:.2f}"),
    Quote("lesson.md", "{t_total_1:.3f}, then {t_total_1:.3f} + {t_chance_2:.3f} = {t_total_2:.3f}, then {t_total_2:.3f} + "
                       "{t_chance_3:.3f} = {t_total_3:.3f}, and so on"),
    Block("lesson.md", "Each row is one character being written:", lambda values: values["trace"]),
    Block("lesson.md", "That is randomness doing its job. A sample looks like this:", lambda values: values["sample"]),
    Quote("lesson.md", "starting from the first letter of the stories, `{start:s}`\n(choose another start with `--start`)"),
    Quote("lesson.md", "Row 5 is worth a look: after `{row5_after:s}` the favourite is `{row5_favourite:s}`, but the draw "
                       "{row5_draw:.3f} landed far along the ruler, on\n`{row5_picked:s}`."),
    # Sections 8 to 11: smoothing and the n-gram table
    Quote("lesson.md", "`th` appears {th_train:,} times in the training part, followed by `e` {th_e_train:,} times, and V = {vocabulary_split}"),
    Quote("lesson.md", "P(e | th) = ({th_e_train} + 0.03) / ({th_train} + 0.03 × {vocabulary_split}) = {small_k_numerator:.2f} / "
                       "{small_k_denominator:.2f} = {small_k_p_e:.3f}"),
    Quote("lesson.md", "P(z | th) = (0    + 0.03) / {small_k_denominator:.2f}            = {small_k_p_z:.7f}"),
    *(_ngram_row(n) for n in ORDERS),
    Quote("lesson.md", "Best order on held-out text: n = {best_order}\nHeld-out bits per character: {best_bits:.3f}"),
    Quote("lesson.md", "held-out rises after n = {best_order}, training perplexity {train_ppl_1:.1f} -> {train_ppl_6:.1f}"),
    Quote("lesson.md", "Held-out contexts never seen in training (n = 6): {unseen_6:.0%}"),
    Block("lesson.md", "Look at the two perplexity columns side by side (one block = 1):", perplexity_bars),
    Quote("lesson.md", "every extra character of context helps: perplexity falls from {train_ppl_1:.0f} to {train_ppl_6:.0f}."),
    Quote("lesson.md", "it falls until n = {best_order} (perplexity about {best_ppl:.0f})"),
    Quote("lesson.md", "With n = 6 the model stores about {contexts_6_rounded:,} contexts"),
    Quote("lesson.md", "Counting has taken us from {val_ppl_1:.0f} down to about {best_ppl:.0f}."),
    Quote("lesson.md", "the best n-gram score you just measured\n({best_bits:.2f} bits per character on the held-out stories)"),
    Quote("lesson.md", "(c) Our n = 1 model has perplexity {val_ppl_1:.0f} on held-out text,\n   with {vocabulary} characters"),
    Quote("lesson.md", "(`th` seen {th_train:,} times, followed by `e` {th_e_train:,}\n   times, V = {vocabulary_split})"),
    Quote("lesson.md", "The stories have about {thousand_characters:,},000 characters."),
    # solutions.md
    Quote("solutions.md", "On the whole stories, `th` is followed by something {th_whole:,} times."),
    Quote("solutions.md", "| `e` | {th_next_1:,} | {th_next_1_p:.3f} |\n| `␣` (space) | {th_next_2:,} | {th_next_2_p:.3f} |\n"
                          "| `a` | {th_next_3:,} | {th_next_3_p:.3f} |"),
    Quote("solutions.md", "after the single letter `h` the favourite `e` had only {after_h_e:.2f}."),
    Quote("solutions.md", "shows for n = 3: train {train_bits_3:.3f} bits per character (perplexity {train_ppl_3:.2f}),\n"
                          "held-out {val_bits_3:.3f} (perplexity {val_ppl_3:.2f}): clearly better than n = 2 (held-out {val_bits_2:.3f})."),
    Quote("solutions.md", "→ `␣`** ({hindi_pair_1} times), then `◌ी` → `␣` ({hindi_pair_2} times)."),
    Quote("solutions.md", "the best held-out order is **n = {hindi_best_order}** ({hindi_best_bits:.3f} bits per character, perplexity "
                          "{hindi_best_ppl:.2f}),\nwhile for the English stories it is n = {best_order}."),
    Quote("solutions.md", "the Hindi file has about\n{hindi_hundred_characters:,} characters, the English one about {hundred_characters:,}, "
                          "more than {size_ratio:.0f} times as much."),
    Quote("solutions.md", "({hindi_unseen_6:.0%}) of the held-out Hindi contexts never\nappear in training, against {unseen_6:.0%} in English."),
    Quote("solutions.md", "With this three-sentence file ({tiny_characters} characters):"),
    Quote("solutions.md", "(training part {tiny_train} characters, held-out part only {tiny_val}):"),
    Quote("solutions.md", "| n | train perplexity | held-out perplexity |\n|---|---:|---:|\n" + "\n".join(
        f"| {n} | {{tiny_train_ppl_{n}:.2f}} | {{tiny_val_ppl_{n}:.2f}} |" for n in ORDERS)),
    Quote("solutions.md", "perplexity {tiny_train_ppl_4:.1f} means it is almost never surprised. It\n  has simply memorised "
                          "{tiny_train} characters."),
    Quote("solutions.md", "perplexity {tiny_best_ppl:.0f} with only {tiny_vocabulary} different characters. At n = 1 it is\n"
                          "  even *worse than blind guessing* ({tiny_val_ppl_1:.1f} > {tiny_vocabulary})."),
    Quote("solutions.md", "(about {tiny_newline_p:.4f}), which costs {tiny_newline_bits:.0f} bits on its own"),
    Quote("solutions.md", "- {tiny_unseen_6:.0%} of the held-out 5-character contexts were never seen, and from n = {tiny_best_order} on"),
    Quote("solutions.md", "*\"held-out stops improving after n = {tiny_best_order}\"*"),
    Quote("solutions.md", "With {tiny_val} held-out characters the numbers are also very noisy"),
    Quote("solutions.md", "In our stories a space is {space_share:.0%} of all\ncharacters and `e` is {e_share:.1%}, while `Q` appears "
                          "{capital_q} times and `X` {capital_x} times in the whole file."),
    Quote("solutions.md", "the average surprise ({val_bits_1:.2f} bits, perplexity {val_ppl_1:.0f})\nis far below blind guessing "
                          "({vocabulary_log2:.2f} bits, perplexity {vocabulary})."),
    Quote("solutions.md", "With k = 1 and V = {vocabulary_split}:"),
    Quote("solutions.md", "P(e | th) = ({th_e_train} + 1) / ({th_train} + 1 × {vocabulary_split}) = {k1_numerator:.0f} / "
                          "{k1_denominator:.0f} = {k1_p_e:.3f}        (k = 0.03 gave {small_k_p_e:.3f})"),
    Quote("solutions.md", "P(z | th) = (0 + 1)    / {k1_denominator:.0f}            = {k1_p_z:.5f}                   "
                          "(k = 0.03 gave {small_k_p_z:.7f})"),
    Quote("solutions.md", "| 0.001 | {tune_k0001_2:.3f} | {tune_k0001_4:.3f} | {tune_k0001_6:.3f} |"),
    Quote("solutions.md", "| 0.03 | {tune_k003_2:.3f} | **{tune_k003_4:.3f}** | {tune_k003_6:.3f} |"),
    Quote("solutions.md", "| 1 | {tune_k1_2:.3f} | {tune_k1_4:.3f} | {tune_k1_6:.3f} |"),
    Quote("solutions.md", "A text of about {hundred_characters:,} characters has at most one"),
    Quote("solutions.md", "so at most about **{hundred_characters:,}** different ones"),
]

CARD = "../data/DATA_CARD.md"  # the corpus's data card quotes measured sizes too
QUOTES += [
    Quote(CARD, "| Bytes on disk (UTF-8) | {card_en_bytes:,} | {card_hi_bytes:,} |\n| Characters | {card_en_characters:,} | "
                "{card_hi_characters:,} |\n| Pieces (paragraph blocks) | {card_en_pieces} | {card_hi_pieces} |"),
    Quote(CARD, "| Distinct characters (the vocabulary a character model sees) | {card_en_vocabulary} | {card_hi_vocabulary} |\n"
                "| Length of one piece | {card_en_shortest} to {card_en_longest} characters, about {card_en_mean_piece:.0f} on average "
                "| {card_hi_shortest} to {card_hi_longest} characters, about {card_hi_mean_piece:.0f} on average |\n"
                "| Training part (first 90%) / held-out part (last 10%) | {card_en_train:,} / {card_en_val:,} characters | "
                "{card_hi_train:,} / {card_hi_val:,} characters |"),
    Quote(CARD, "is only about {hindi_hundred_characters:,} characters"),
    Quote(CARD, "So the Hindi text is about **{size_ratio} times smaller**"),
]

NUMBERS = LessonNumbers(Path(__file__).resolve().parent, QUOTES, measure)

if __name__ == "__main__":
    raise SystemExit(NUMBERS.main())
