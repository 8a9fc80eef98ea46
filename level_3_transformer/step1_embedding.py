"""Step 3.1 - Embeddings and positional encoding.

A transformer cannot read letters; it reads lists of numbers. This script shows the
two lists of numbers that every character gets before the transformer starts:

1. An *embedding*: a learned list of numbers (a vector) for each character of the
   vocabulary, stored as one row of a table (`nn.Embedding`). At first the rows are
   random. Training moves them, so characters that behave alike (the vowels, for
   example) end up with similar rows. We train a tiny model for a few hundred steps
   and measure that with cosine similarity, before and after.
2. A *positional encoding*: a fixed pattern of sine and cosine waves for each position
   (0, 1, 2, ...), written straight from its formula. Attention (step 2) has no idea of
   order by itself, so we add the position's pattern to the character's embedding.

Run:  python step1_embedding.py            (about 5 seconds)
      python step1_embedding.py --embed-size 4 --steps 600
"""

from __future__ import annotations

import math  # used by the doctest of sinusoidal_positional_encoding
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from buildai import plotting, script, ui
from buildai.paths import output_dir
from buildai.tokenizer import CharTokenizer
from level_3_transformer.training_flags import add_training_flags

LEVEL = 3
VOWELS = "aeiou"
CONSONANTS = "tnsrh"  # common English consonants, to compare with the vowels


def sinusoidal_positional_encoding(num_positions: int, d_model: int) -> torch.Tensor:
    """The fixed position patterns from "Attention Is All You Need", one row per position.

        PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))
        PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))

    Column pair i is a wave with its own speed: the first columns change fast from one
    position to the next, the last columns very slowly, so every position gets a
    different mixture -- like the hands of a clock (seconds, minutes, hours).

    >>> pe = sinusoidal_positional_encoding(num_positions=3, d_model=4)
    >>> pe.shape
    torch.Size([3, 4])
    >>> pe[0]  # position 0: sin(0) = 0 and cos(0) = 1
    tensor([0., 1., 0., 1.])
    >>> round(float(pe[1, 0]), 4), round(math.sin(1.0), 4)
    (0.8415, 0.8415)
    """
    if num_positions < 1 or d_model < 1:
        raise ValueError("num_positions and d_model must be at least 1")
    positions = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)  # (num_positions, 1)
    even_columns = torch.arange(0, d_model, 2, dtype=torch.float64)  # 0, 2, 4, ... = the "2i" in the formula
    speeds = 1.0 / (10000.0 ** (even_columns / d_model))  # one speed per pair of columns
    angles = positions * speeds  # (num_positions, number of pairs)
    encoding = torch.zeros(num_positions, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])  # an odd d_model has one sine column more
    return encoding.float()  # computed in float64 so the formula is exact, returned as float32


def cosine_similarity(first: torch.Tensor, second: torch.Tensor) -> float:
    """How much two vectors point the same way: 1 = same direction, 0 = unrelated, -1 = opposite.

    cos = (a . b) / (|a| * |b|)

    >>> cosine_similarity(torch.tensor([1.0, 0.0]), torch.tensor([2.0, 0.0]))
    1.0
    >>> cosine_similarity(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 3.0]))
    0.0
    """
    dot = float(torch.dot(first, second))
    lengths = float(first.norm()) * float(second.norm())
    return dot / lengths if lengths > 0 else 0.0


class NeighbourModel(nn.Module):
    """A tiny model that learns embeddings: from one character, guess the characters on both sides.

    Characters that keep similar company (a vowel usually sits between consonants) must
    give similar guesses, so training pulls their embeddings together.
    """

    def __init__(self, vocab_size: int, embed_size: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.next_guess = nn.Linear(embed_size, vocab_size)  # scores for the character after
        self.previous_guess = nn.Linear(embed_size, vocab_size)  # scores for the character before

    def loss(self, ids: torch.Tensor, next_ids: torch.Tensor, previous_ids: torch.Tensor) -> torch.Tensor:
        vectors = self.embedding(ids)
        return F.cross_entropy(self.next_guess(vectors), next_ids) + F.cross_entropy(self.previous_guess(vectors), previous_ids)


def train_neighbour_model(
    model: NeighbourModel, data: torch.Tensor, steps: int, batch_size: int, learning_rate: float, generator: torch.Generator
) -> list[float]:
    """Train on random characters of `data` with their neighbours; returns the loss at every step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    losses = []
    with ui.progress(total=steps, description="Training embeddings") as tracker:
        for _ in range(steps):
            # Random positions with a character on both sides (so not the first or the last one).
            positions = torch.randint(1, len(data) - 1, (batch_size,), generator=generator)
            loss = model.loss(data[positions], data[positions + 1], data[positions - 1])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            tracker.advance(loss=losses[-1])
    return losses


def pick_characters(tokenizer: CharTokenizer, text: str, how_many: int = 8) -> tuple[list[str], bool]:
    """The characters to compare: vowels and common consonants if the text has them, else the most common ones.

    Returns (characters, True if they are the English vowels and consonants).
    """
    wanted = [ch for ch in VOWELS + CONSONANTS if ch in tokenizer]
    if len(wanted) == len(VOWELS + CONSONANTS):
        return wanted, True
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isspace():
            counts[ch] = counts.get(ch, 0) + 1
    most_common = sorted(counts, key=lambda ch: (-counts[ch], ch))[:how_many]
    return most_common, False


def similarity_pairs(weights: torch.Tensor, tokenizer: CharTokenizer, characters: list[str]) -> dict[tuple[str, str], float]:
    """Cosine similarity of the embeddings for every pair of the given characters."""
    rows = {ch: weights[tokenizer.encode(ch)[0]] for ch in characters}
    return {
        (first, second): cosine_similarity(rows[first], rows[second])
        for index, first in enumerate(characters)
        for second in characters[index + 1 :]
    }


def group_average(similarities: dict[tuple[str, str], float], first_group: str, second_group: str) -> float:
    """Average similarity over pairs with one character from each group (or both from one group)."""
    values = [
        value for (first, second), value in similarities.items()
        if (first in first_group and second in second_group) or (first in second_group and second in first_group)
    ]
    return sum(values) / len(values)


def save_positional_encoding_plot(encoding: torch.Tensor, path: Path) -> None:
    """The whole PE matrix as a picture, and a few of its columns drawn as waves."""
    figure, axes = plotting.new_figure(width=11, height=4.5)
    figure.delaxes(axes)
    heat = figure.add_subplot(1, 2, 1)
    image = heat.imshow(encoding.numpy(), aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
    heat.set_xlabel("dimension (column)")
    heat.set_ylabel("position in the text")
    heat.set_title("Sinusoidal positional encoding")
    figure.colorbar(image, ax=heat)
    waves = figure.add_subplot(1, 2, 2)
    d_model = encoding.shape[1]
    for column in [column for column in (0, 4, 10, 16) if column < d_model]:  # sine columns, fast to slow
        waves.plot(np.arange(encoding.shape[0]), encoding[:, column].numpy(), label=f"column {column}")
    waves.set_xlabel("position in the text")
    waves.set_ylabel("value")
    waves.set_title("Each column is a wave of its own speed")
    waves.legend(fontsize=8)
    plotting.save_figure(figure, path)


def format_vector(vector: torch.Tensor, count: int = 6) -> str:
    shown = ", ".join(f"{value:+.2f}" for value in vector[:count].tolist())
    return f"[{shown}{', ...' if len(vector) > count else ''}]"


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("Embeddings and positional encoding: the numbers a transformer reads.", threads_flag=True)
    add_training_flags(parser, embed_size=8, steps=300, batch_size=512, batch_unit="characters", learning_rate=0.05)
    parser.add_argument("--positions", type=script.positive_int, default=64,
                        help="positions in the positional-encoding picture (default 64)")
    parser.add_argument("--pe-size", type=script.positive_int, default=32,
                        help="columns in the positional-encoding picture (default 32)")
    args = script.start_step(parser, argv)  # also seeds every generator and picks PyTorch's threads
    corpus = script.load_corpus(args)
    text, train_text = corpus.text, corpus.train_text
    folder = output_dir(LEVEL, args.out_dir)

    ui.heading("Step 3.1 - Embeddings and positional encoding", "Turning characters and positions into numbers")
    tokenizer = corpus.tokenizer
    ui.explain(
        "First we need a vocabulary: every different character in the text gets an id (a whole number). "
        "The id is only a name tag: a bigger id does not mean 'more' of anything. So each id picks one row of a "
        "table of numbers, the embedding table. Those rows are what the model really reads."
    )
    ui.result("Characters in the text", f"{len(text):,}")
    ui.result("Vocabulary size", tokenizer.vocab_size)
    first_word = text.strip()[:6]
    ui.table("The first characters of the text, as ids", ["character", *[ui.escape(ui.show_char(ch)) for ch in first_word]],
             [("id", *tokenizer.encode(first_word))], justify=["left"] + ["center"] * len(first_word))

    # ------------------------------------------------------------ embeddings, before training
    model = NeighbourModel(tokenizer.vocab_size, args.embed_size)
    embedding = model.embedding  # an nn.Embedding: a (vocab_size, embed_size) table of learnable numbers
    characters, are_vowels = pick_characters(tokenizer, train_text)
    ui.explain(
        f"nn.Embedding({tokenizer.vocab_size}, {args.embed_size}) is a table with {tokenizer.vocab_size} rows "
        f"(one per character) and {args.embed_size} columns. Looking up a character = taking its row. "
        f"The numbers start random; training will move them."
    )
    ids = torch.tensor(tokenizer.encode("".join(characters[:4])))
    vectors = embedding(ids).detach()
    ui.table(f"Embeddings before training (first numbers of {args.embed_size})", ["character", "id", "embedding"],
             [(ui.escape(ch), int(i), format_vector(v)) for ch, i, v in zip(characters[:4], ids, vectors)])
    ui.result("Embedding table shape", f"({tokenizer.vocab_size}, {args.embed_size}) = {embedding.weight.numel():,} numbers")
    before = similarity_pairs(embedding.weight.detach().clone(), tokenizer, characters)

    # ------------------------------------------------------------ a short training
    ui.explain(
        "Now a tiny model uses these embeddings to guess the character just before and just after each "
        "character of the stories. Characters that keep similar company must give similar guesses, so "
        "training pulls their rows together. Cosine similarity measures it: 1 means the two vectors point "
        "the same way, 0 means unrelated, -1 means opposite.",
        title="Training the embeddings",
    )
    data = torch.tensor(corpus.train_ids, dtype=torch.long)
    generator = torch.Generator().manual_seed(args.seed)
    losses = train_neighbour_model(model, data, args.steps, args.batch_size, args.learning_rate, generator)
    ui.say("(The loss adds up two guesses, the character before and the one after.)")
    ui.result("Loss at the first step", f"{losses[0]:.3f}")
    ui.result("Loss at the last step", f"{losses[-1]:.3f}")
    after = similarity_pairs(embedding.weight.detach().clone(), tokenizer, characters)

    # Show the pairs that moved most, plus a few fixed examples, with before and after.
    shown_pairs = sorted(after, key=lambda pair: -abs(after[pair] - before[pair]))[:10]
    rows = [
        (f"{ui.escape(ui.show_char(a))} - {ui.escape(ui.show_char(b))}", f"{before[(a, b)]:+.2f}", f"{after[(a, b)]:+.2f}",
         f"{after[(a, b)] - before[(a, b)]:+.2f}")
        for a, b in shown_pairs
    ]
    ui.table("Cosine similarity: the pairs that moved most", ["pair", "before", "after", "change"],
             rows, justify=["center", "right", "right", "right"])
    if are_vowels:
        for label, groups in (("vowel with vowel", (VOWELS, VOWELS)), ("vowel with consonant", (VOWELS, CONSONANTS))):
            ui.result(f"Average similarity, {label}",
                      f"{group_average(before, *groups):+.2f} before -> {group_average(after, *groups):+.2f} after")
        ui.say("The vowels end up closer to each other than to the consonants: nobody told the model what a vowel is.")
    else:
        best = max(after, key=after.get)
        ui.result("Most similar pair after training",
                  f"{ui.escape(ui.show_char(best[0]))} - {ui.escape(ui.show_char(best[1]))} ({after[best]:+.2f})")

    # ------------------------------------------------------------ positional encoding
    ui.heading("Positional encoding", "A different pattern of waves for every position")
    ui.explain(
        "Attention (next step) looks at all characters at once and has no idea of their order: 'tea' and "
        "'eat' would look the same. So we add to each character's embedding a pattern that depends only on "
        "its position. Column 2i uses sin(pos / 10000^(2i/d)) and column 2i+1 uses cos of the same angle. "
        "Early columns change fast, later columns slowly, like the second, minute and hour hands of a clock."
    )
    encoding = sinusoidal_positional_encoding(args.positions, args.pe_size)
    columns = min(args.pe_size, 6)
    ui.table(f"Positional encoding: first {columns} of {args.pe_size} columns", ["position", *[f"col {c}" for c in range(columns)]],
             [(str(pos), *[f"{value:+.3f}" for value in encoding[pos, :columns].tolist()]) for pos in range(min(5, args.positions))],
             justify=["right"] * (columns + 1))
    if args.positions > 2:  # neighbours have similar patterns; far-apart positions less so
        neighbour = cosine_similarity(encoding[0], encoding[1])
        far = cosine_similarity(encoding[0], encoding[args.positions - 1])
        ui.result("Similarity of positions 0 and 1", f"{neighbour:+.2f}")
        ui.result(f"Similarity of positions 0 and {args.positions - 1}", f"{far:+.2f}")
    plot_path = folder / "step1_positional_encoding.png"
    save_positional_encoding_plot(encoding, plot_path)
    ui.saved(plot_path, "positional-encoding picture")
    ui.explain(
        "The transformer's input for a character at position p is: embedding(character) + encoding(p). "
        "Same size, added number by number. In step 4 the positions get learned vectors instead, as in GPT; "
        "the idea is the same.",
        title="Putting the two together",
    )
    ui.success(f"Done. Open {plot_path.name} to see the waves. Next: python step2_attention.py")


if __name__ == "__main__":
    script.run_step(main)
