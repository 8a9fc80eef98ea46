"""Step 3 - Looking further back: n-grams, smoothing and perplexity.

The idea
--------
The bigram model of steps 1 and 2 looks at ONE previous character. An n-gram
model looks at n-1 previous characters (its "context"):

    n = 1   context ""        ->  guess from how common each character is
    n = 2   context "e"       ->  the bigram model of step 1
    n = 3   context "he"      ->  what follows "he"?
    n = 5   context "chai"    ->  what follows "chai"? (a space, nearly always)

Two problems appear as n grows, and this script solves them simply:

1. A context never seen in training (say "qzx") has no counts at all.
   Backoff: if the context is unknown, drop its first character and try the
   shorter context, down to "" (which is always known).
2. A character never seen after a known context would get probability 0, and
   one zero would make the model infinitely surprised. Add-k smoothing: pretend
   every character of the vocabulary was seen k extra times (k is small, 0.03):

       P(next | context) = (count(context, next) + k) / (count(context) + k * V)

   where V is the number of characters in the vocabulary.

How good is a model? Bits per character and perplexity
------------------------------------------------------
For each character of a text, ask the model the probability p it gave to the
character that really came, and take -log2(p): its "surprise" in bits.
p = 1 costs 0 bits, p = 1/2 costs 1 bit, p = 1/4 costs 2 bits. The average over
the text is the bits per character (lower is better). Perplexity = 2 ** bits:
"the model is as unsure as if it picked among this many equally likely characters".

We measure on the training text AND on held-out text the model never saw (the
last 10% of the stories). Bigger n looks better and better on the training text;
the held-out text tells the truth.

Run it
------
    cd level_1_prediction
    python step3_ngram.py
    python step3_ngram.py --max-order 8 --k 0.1
    python step3_ngram.py --tune-k             # try several k on the held-out text

or from anywhere in the repository: buildai run 1.3
"""

from __future__ import annotations

import copy
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from buildai import script, ui
from buildai.errors import UserError
from level_1_prediction.display import default_start
from level_1_prediction.step2_generate import sample_next_char

# Chosen on the held-out text of the course stories: we tried k = 0.001, 0.003, 0.01, 0.03, 0.1,
# 0.3 and 1 (run with --tune-k) and 0.03 gave the lowest held-out bits per character.
DEFAULT_K = 0.03
DEFAULT_ORDERS = range(1, 7)
MAX_ORDER = 12  # the largest n that --max-order accepts
K_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


# ------------------------------------------------------------------ the model


class NGramModel:
    """A character n-gram model with add-k smoothing and backoff to shorter contexts.

    `order` is n: the model looks at the previous n-1 characters. `vocabulary` is every
    character the model may ever be asked about; give it the characters of the training
    AND held-out text, so no held-out character is a complete stranger.

    >>> model = NGramModel(2, k=1.0).fit("abab")
    >>> model.distribution("a")
    {'a': 0.25, 'b': 0.75}
    """

    def __init__(self, order: int, k: float = DEFAULT_K, vocabulary: Iterable[str] | None = None):
        if order < 1:
            raise ValueError(f"order must be at least 1 (got {order})")
        if k <= 0:
            raise ValueError(f"k must be above 0, or unseen characters get probability zero (got {k})")
        self.order = order
        self.k = k
        self.vocabulary: list[str] = sorted(set(vocabulary)) if vocabulary is not None else []
        # counts["th"]["e"] = how often "e" came right after "th"; contexts of every length 0 .. order-1.
        self.counts: dict[str, dict[str, int]] = {}
        # context_totals["th"] = how often "th" was followed by anything at all.
        self.context_totals: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"NGramModel(order={self.order}, k={self.k}, vocabulary of {len(self.vocabulary)}, {len(self.counts)} contexts)"

    def fit(self, text: str) -> "NGramModel":
        """Count, for every context of 0 to order-1 characters, which character followed it.

        We keep the shorter contexts too, because backoff needs them.

        >>> NGramModel(3).fit("chai chai").counts["ha"]
        {'i': 2}
        """
        self.vocabulary = sorted(set(self.vocabulary) | set(text))
        self.counts, self.context_totals = {}, {}
        for context_length in range(self.order):
            # Every chunk of (context_length + 1) characters: the context, then the character after it.
            chunks = Counter(text[end - context_length: end + 1] for end in range(context_length, len(text)))
            for chunk, count in chunks.items():
                context, next_char = chunk[:-1], chunk[-1]
                self.counts.setdefault(context, {})[next_char] = count
                self.context_totals[context] = self.context_totals.get(context, 0) + count
        return self

    def with_smoothing(self, k: float) -> "NGramModel":
        """The same counts with another k: trying several k does not need counting again."""
        if k <= 0:
            raise ValueError(f"k must be above 0 (got {k})")
        other = copy.copy(self)  # shares the count tables, which never change after fit()
        other.k = k
        return other

    def with_order(self, order: int) -> "NGramModel":
        """A smaller model made from this one's counts: the same as fitting NGramModel(order) on the
        same text, because fit() counted every shorter context too. Saves counting again.

        >>> NGramModel(3).fit("chai chai").with_order(2).counts == NGramModel(2).fit("chai chai").counts
        True
        """
        if not 1 <= order <= self.order:
            raise ValueError(f"order must be between 1 and {self.order} (got {order})")
        smaller = copy.copy(self)
        smaller.order = order
        smaller.counts = {context: row for context, row in self.counts.items() if len(context) < order}
        smaller.context_totals = {context: self.context_totals[context] for context in smaller.counts}
        return smaller

    def known_context(self, context: str) -> str:
        """The part of `context` the model will use: its last order-1 characters, shortened
        from the left until it is a context seen in training (backoff). "" is always allowed.

        >>> NGramModel(3).fit("chai chai").known_context("xyzha")
        'ha'
        >>> NGramModel(3).fit("chai chai").known_context("xq")
        ''
        """
        history = self.order - 1
        context = context[max(0, len(context) - history):] if history else ""
        while context and context not in self.context_totals:
            context = context[1:]  # never seen: forget the oldest character and try again
        return context

    def _denominator(self, context: str) -> float:
        if not self.vocabulary:
            raise ValueError("the model knows no characters yet: call fit() or give a vocabulary")
        return self.context_totals.get(context, 0) + self.k * len(self.vocabulary)

    def distribution(self, context: str) -> dict[str, float]:
        """P(next character | context) for every character of the vocabulary. Adds up to 1, never 0.

        >>> NGramModel(1, k=1.0).fit("aab").distribution("")
        {'a': 0.6, 'b': 0.4}
        """
        used = self.known_context(context)
        row = self.counts.get(used, {})
        denominator = self._denominator(used)
        return {ch: (row.get(ch, 0) + self.k) / denominator for ch in self.vocabulary}

    def probability(self, context: str, char: str) -> float:
        """P(char | context), the same number distribution(context)[char] gives, computed directly."""
        used = self.known_context(context)
        return (self.counts.get(used, {}).get(char, 0) + self.k) / self._denominator(used)

    def bits_per_char(self, text: str) -> float:
        """The average surprise, -log2 P(character | the characters before it), over `text`.

        The first characters have fewer than order-1 characters before them; they use what there is.

        >>> NGramModel(1, k=1.0, vocabulary="abcd").bits_per_char("abcd")  # 4 equally likely: 2 bits
        2.0
        """
        if not text:
            raise ValueError("cannot measure an empty text")
        strangers = sorted(set(text) - set(self.vocabulary))
        if strangers:
            raise ValueError(
                f"characters {strangers!r} are not in the model's vocabulary; "
                "build it with vocabulary=set(training text + held-out text)"
            )
        history = self.order - 1
        rows: dict[str, tuple[dict[str, int], float]] = {}  # remembered per context: this loop runs 100,000s of times
        total_bits = 0.0
        for position, ch in enumerate(text):
            # The history characters just before this one (fewer at the very start of the text).
            context = text[position - history: position] if position >= history else text[:position]
            if context not in rows:
                used = self.known_context(context)
                rows[context] = (self.counts.get(used, {}), self._denominator(used))
            row, denominator = rows[context]
            total_bits -= math.log2((row.get(ch, 0) + self.k) / denominator)
        return total_bits / len(text)

    def nats_per_char(self, text: str) -> float:
        """The same surprise in nats (natural logarithm), the unit PyTorch's cross-entropy uses."""
        return self.bits_per_char(text) * math.log(2)

    def perplexity(self, text: str) -> float:
        """2 ** bits_per_char: how many equally likely characters the model is 'choosing between'."""
        return 2 ** self.bits_per_char(text)

    def counted_distribution(self, context: str) -> dict[str, float]:
        """P(next | context) from the counts alone, without smoothing: only characters that really
        followed the (backed-off) context get a chance.

        >>> NGramModel(2, k=1.0).fit("abab").counted_distribution("a")
        {'b': 1.0}
        """
        used = self.known_context(context)
        row = self.counts.get(used)
        if not row:  # nothing was counted at all (the model was fitted on an empty text)
            return self.distribution(context)
        total = self.context_totals[used]
        return {ch: count / total for ch, count in row.items()}

    def generate(self, start: str, length: int, rng: random.Random, smoothed: bool = False) -> str:
        """Write `length` characters after `start` with step 2's sampler; returns only the new characters.

        By default we write from the counts alone. Smoothing is insurance for *scoring* new text;
        when *writing*, its small chances for every character add up, and after a rare context
        (seen once or twice) a random character would win more often than the one really seen there.
        """
        choose_from = self.distribution if smoothed else self.counted_distribution
        written = start
        for _ in range(length):
            written += sample_next_char(choose_from(written), rng)
        return written[len(start):]


# ------------------------------------------------------------- comparing n


@dataclass
class OrderResult:
    """How one n-gram model did on the training text and on the held-out text."""

    order: int
    model: NGramModel
    train_bits: float | None
    val_bits: float

    @property
    def train_perplexity(self) -> float | None:
        return None if self.train_bits is None else 2 ** self.train_bits

    @property
    def val_perplexity(self) -> float:
        return 2 ** self.val_bits


def evaluate_orders(
    train_text: str,
    val_text: str,
    orders: Iterable[int] = DEFAULT_ORDERS,
    k: float = DEFAULT_K,
    include_train: bool = True,
    after_each: Callable[[OrderResult], None] | None = None,
) -> list[OrderResult]:
    """Fit one model per order on the training text and measure bits per character on both texts.

    We count once, for the largest order, and take the smaller models from it (`with_order`).
    `after_each` (if given) is called with each result as soon as it is ready, e.g. to move a progress bar.
    """
    orders = list(orders)
    if not orders:
        return []
    vocabulary = set(train_text) | set(val_text)
    largest = NGramModel(max(orders), k=k, vocabulary=vocabulary).fit(train_text)
    results = []
    for order in orders:
        model = largest.with_order(order)
        train_bits = model.bits_per_char(train_text) if include_train else None
        results.append(OrderResult(order, model, train_bits, model.bits_per_char(val_text)))
        if after_each is not None:
            after_each(results[-1])
    return results


def best_ngram_baseline(
    train_text: str, val_text: str, orders: Iterable[int] = DEFAULT_ORDERS, k: float = DEFAULT_K
) -> tuple[int, float]:
    """The order with the lowest held-out bits per character, and that number.

    Later levels draw this as the line a neural network has to beat.
    """
    results = evaluate_orders(train_text, val_text, orders, k, include_train=False)
    if not results:
        raise ValueError("give at least one order")
    best = min(results, key=lambda result: result.val_bits)
    return best.order, best.val_bits


def unseen_context_share(model: NGramModel, text: str) -> float:
    """The share of places in `text` whose full context (order-1 characters) never appeared in training.

    >>> unseen_context_share(NGramModel(3).fit("chai chai"), "chit")  # "ch" seen, "hi" never
    0.5
    """
    history = model.order - 1
    if history == 0 or len(text) <= history:
        return 0.0
    contexts = [text[end - history: end] for end in range(history, len(text))]
    return sum(context not in model.context_totals for context in contexts) / len(contexts)


# ---------------------------------------------------------------- the script


def show_results_table(results: list[OrderResult]) -> None:
    rows = [
        (str(result.order), str(result.order - 1), f"{len(result.model.counts):,}",
         f"{result.train_bits:.3f}", f"{result.train_perplexity:.2f}",
         f"{result.val_bits:.3f}", f"{result.val_perplexity:.2f}")
        for result in results
    ]
    ui.table("Bits per character and perplexity (lower is better)",
             ["n", "looks back", "contexts stored", "train bits/char", "train perplexity",
              "held-out bits/char", "held-out perplexity"],
             rows, justify=["right"] * 7)


def train_keeps_falling(results: list[OrderResult]) -> bool:
    train = [result.train_bits for result in results]
    return all(later <= earlier + 1e-9 for earlier, later in zip(train, train[1:]))


def held_out_rise(results: list[OrderResult], best: OrderResult) -> float:
    """How much worse (in bits per character) the biggest n does on held-out text than the best n."""
    return results[-1].val_bits - best.val_bits


def memorisation_verdict(results: list[OrderResult], best: OrderResult) -> str:
    """A short answer for the result line, with the numbers that back it."""
    first, last = results[0], results[-1]
    train = f"training perplexity {first.train_perplexity:.1f} -> {last.train_perplexity:.1f}"
    if held_out_rise(results, best) > 0.001:
        return f"yes: held-out rises after n = {best.order}, {train}"
    if best.order < last.order:
        return f"held-out stops improving after n = {best.order}, {train}"
    return f"not yet seen up to n = {last.order} (held-out is still best there)"


def memorisation_sentence(results: list[OrderResult], best: OrderResult) -> str:
    """Say in words what the table shows, based on the numbers (they differ for your own text)."""
    first, last = results[0], results[-1]
    train_part = (f"Training perplexity keeps falling as n grows ({first.train_perplexity:.1f} -> "
                  f"{last.train_perplexity:.1f})" if train_keeps_falling(results) else
                  f"Training perplexity goes from {first.train_perplexity:.1f} to {last.train_perplexity:.1f}")
    if held_out_rise(results, best) > 0.001:
        return (f"{train_part}, but held-out perplexity is lowest at n = {best.order} ({best.val_perplexity:.2f}) "
                f"and rises after it, to {last.val_perplexity:.2f} at n = {last.order}: the bigger models "
                "memorise the training text instead of learning what carries over to new text.")
    if best.order < last.order:
        return (f"{train_part}, but held-out perplexity stops improving after n = {best.order} "
                f"({best.val_perplexity:.2f}): longer contexts in new text were simply never seen in training.")
    return (f"{train_part}, and held-out perplexity is still lowest at the biggest n tried ({best.order}). "
            "Try a bigger --max-order to see where it turns around.")


def show_samples(results: list[OrderResult], start: str, length: int, seed: int, smoothed: bool) -> None:
    rows = []
    for result in results:
        rng = random.Random(seed * 1000 + result.order)  # each n its own dice, so one n's sample never shifts another's
        sample = start + result.model.generate(start, length, rng, smoothed=smoothed)
        rows.append((str(result.order), ui.escape(sample.replace("\n", "\\n"))))
    how = "from the smoothed model" if smoothed else "from the counts"
    ui.table(f"Samples for each n {how}, all starting with '{ui.escape(start)}'", ["n", "sample"], rows,
             justify=["right", "left"])


def show_k_tuning(results: list[OrderResult], val_text: str) -> None:
    rows = []
    for k in K_GRID:
        bits = [result.model.with_smoothing(k).bits_per_char(val_text) for result in results]
        best_index = min(range(len(bits)), key=bits.__getitem__)
        rows.append((f"{k:g}", *(f"{value:.3f}" for value in bits), f"n = {results[best_index].order}: {bits[best_index]:.3f}"))
    ui.table("Held-out bits per character for several k",
             ["k", *(f"n = {result.order}" for result in results), "best"], rows,
             justify=["right"] * (len(results) + 2))
    ui.say("Small k trusts the counts; big k spreads probability evenly. The best k sits in between. "
           "(Choosing k on the held-out text uses it a little for training, so a careful study would keep "
           "a third, untouched test text for the final number.)")


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("Compare n-gram models for n = 1 to 6 on training and held-out text.")
    parser.add_argument("--max-order", type=script.positive_int, choices=range(1, MAX_ORDER + 1), default=6, metavar="N",
                        help=f"the largest n to try, 1 to {MAX_ORDER} (default 6)")
    parser.add_argument("--k", type=script.positive_float, default=DEFAULT_K,
                        help=f"add-k smoothing strength, above 0: with k = 0 an unseen character gets probability zero "
                             f"(default {DEFAULT_K})")
    parser.add_argument("--length", type=script.positive_int, default=70, help="characters in each sample (default 70)")
    parser.add_argument("--start", default=None, metavar="TEXT", help="text to begin each sample with (default: the first letter of the text)")
    parser.add_argument("--smoothed-samples", action="store_true", help="write the samples from the smoothed model")
    parser.add_argument("--tune-k", action="store_true", help="also show held-out bits per character for several k")
    args = script.start_step(parser, argv)
    if args.start == "":
        raise UserError("--start cannot be empty: give at least one character, e.g. --start \"The \".")

    ui.heading("Level 1, Step 3 - N-grams, smoothing and perplexity", "Look further back: does it help?")
    ui.explain(
        "Finishing a friend's sentence is easier when you heard more of it. After just 'a', anything can "
        "come next; after 'a cup of ch', you would bet on 'a' from 'chai'. An n-gram model looks at the last "
        "n-1 characters:\n\n"
        "   text so far:  a␣cup␣of␣ch  -> ?\n"
        "   n = 2 sees:              h  -> ?\n"
        "   n = 3 sees:             ch  -> ?\n"
        "   n = 4 sees:            ␣ch  -> ?\n"
        "   n = 6 sees:          of␣ch  -> ?\n"
        f"\nWe try n = 1 to {args.max_order}, each with add-k smoothing (no zero probabilities) "
        "and backoff (an unknown context is shortened until it is known).",
        title="N-gram models",
    )
    corpus = script.load_corpus(args)
    text, train_text, val_text = corpus.text, corpus.train_text, corpus.val_text
    ui.explain(
        "For every character of a text we ask the model: what probability did you give to the character "
        "that really came? A surprise of -log2(p) bits: p = 1/2 costs 1 bit, p = 1/8 costs 3 bits. The "
        "average is the bits per character. Perplexity = 2 to the power bits: a perplexity of 8 means the "
        "model is as unsure as someone guessing among 8 equally likely characters. For comparison, "
        f"guessing blindly among all {len(set(text))} different characters of this text would score a "
        f"perplexity of {len(set(text))}, and a perfect model would score 1.",
        title="Measuring surprise",
    )
    ui.result("Training characters", f"{len(train_text):,}")
    ui.result("Held-out characters", f"{len(val_text):,}")
    with ui.progress(total=args.max_order, description="Counting and measuring") as tracker:
        results = evaluate_orders(train_text, val_text, range(1, args.max_order + 1), args.k,
                                  after_each=lambda result: tracker.advance(n=result.order))
    show_results_table(results)
    ui.line_chart(
        {"train": [result.train_bits for result in results], "held-out": [result.val_bits for result in results]},
        title=f"Bits per character for n = 1 (left) to n = {args.max_order} (right)", height=10, width=6 * len(results),
    )

    best = min(results, key=lambda result: result.val_bits)
    ui.result("Best order on held-out text", f"n = {best.order}")
    ui.result("Held-out bits per character", f"{best.val_bits:.3f}")
    ui.result("Held-out perplexity", f"{best.val_perplexity:.2f}")
    ui.result("Bigger n memorises", memorisation_verdict(results, best))
    ui.say(memorisation_sentence(results, best))
    biggest = results[-1]
    if biggest.order > 1:
        share = unseen_context_share(biggest.model, val_text)
        ui.result(f"Held-out contexts never seen in training (n = {biggest.order})", f"{share:.0%}")

    if args.tune_k:
        show_k_tuning(results, val_text)

    start = args.start if args.start is not None else default_start(text)
    show_samples(results, start, args.length, args.seed, args.smoothed_samples)
    ui.explain(
        "n = 1 writes letter soup with the right letter frequencies. By n = 3 or 4 most 'words' are real. "
        "By n = 6 whole phrases appear, often copied straight out of the stories: the model is reciting "
        "what it memorised, not writing something new. (When writing we use the counts alone, without the "
        "smoothing: try --smoothed-samples to see the random characters smoothing would sprinkle in.)",
        title="What to notice in the samples",
    )
    ui.explain(
        "Why not just take n = 20? Three reasons, all visible above.\n\n"
        "1. The table explodes. Every new context is a new row to store: the 'contexts stored' column grows "
        "fast with n, and most rows are seen only once or twice.\n"
        "2. New text is full of contexts we never saw. With the biggest n a large share of the held-out contexts "
        "never appeared in training, so the model falls back to shorter contexts, or to plain guessing.\n"
        "3. Counting cannot see that two contexts are alike. Having seen 'Meera drank chai', a counting "
        "model knows nothing about 'Ravi drank chai': the rows are different strings, so nothing carries over.\n\n"
        "A neural network fixes this: it squeezes all the text into a fixed number of adjustable numbers, and "
        "similar contexts end up with similar numbers, so what it learns about one helps with the other. "
        "That is Level 2: python ../level_2_neural_network/step1_neuron.py",
        title="Why we need neural networks",
    )


if __name__ == "__main__":
    script.run_step(main)
