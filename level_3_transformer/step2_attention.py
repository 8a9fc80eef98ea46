"""Step 3.2 - Self-attention from scratch.

Attention is how a transformer lets each character gather information from the
characters before it. Every position asks a question (its *query*), every position
offers a label (its *key*) and some content (its *value*):

    scores  = Q K^T / sqrt(d_k)        how well each question matches each label
    scores  = mask(scores)              no peeking at the future (-infinity above the diagonal)
    weights = softmax(scores)           each row becomes shares that add up to 1
    output  = weights V                 each position takes a blend of the values

This script does each line by hand on a real short sentence ("chai is hot"),
prints every matrix as a table, checks the result against PyTorch's own
`torch.nn.functional.scaled_dot_product_attention`, and saves a heatmap.

Run:  python step2_attention.py
      python step2_attention.py --sentence "the monsoon is here"
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from buildai import script, ui
from level_3_transformer.attention_pictures import save_attention_grid
from level_3_transformer.sentence import load_sentence, sentence_step_parser
from level_3_transformer.step1_embedding import sinusoidal_positional_encoding


def causal_mask(length: int, key_length: int | None = None) -> torch.Tensor:
    """A (length, key_length) table of True/False: may position `row` look at position `column`?

    True on and below the diagonal (the past and the present), False above it (the future).

    >>> causal_mask(3)
    tensor([[ True, False, False],
            [ True,  True, False],
            [ True,  True,  True]])
    """
    return torch.ones(length, length if key_length is None else key_length, dtype=torch.bool).tril()


def scaled_dot_product_attention(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, causal: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention written out by hand: scores, scaling, (optional) causal mask, softmax, weighted sum.

    Works on tensors shaped (..., T, d): any number of leading dimensions (batch, heads),
    then T positions, then d numbers per position.

    Returns (output, attention_weights): output is (..., T, d_value) and the weights are
    (..., T, T), where row t says how much position t listens to every position.

    >>> q = k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> v = torch.tensor([[10.0, 0.0], [0.0, 10.0]])
    >>> output, weights = scaled_dot_product_attention(q, k, v, causal=True)
    >>> weights  # the first position can only look at itself
    tensor([[1.0000, 0.0000],
            [0.3302, 0.6698]])
    """
    d_k = query.shape[-1]
    # 1. Scores: how well each query matches each key (a dot product per pair of positions).
    scores = query @ key.transpose(-2, -1)
    # 2. Scaling: with d_k numbers, a dot product grows like sqrt(d_k); dividing keeps the
    #    scores in a range where softmax does not become "all on one position" too early.
    scores = scores / math.sqrt(d_k)
    # 3. Causal mask: a position must not see the future, so those scores become -infinity
    #    (softmax turns -infinity into a weight of exactly 0).
    if causal:
        length_q, length_k = scores.shape[-2], scores.shape[-1]
        allowed = causal_mask(length_q, length_k).to(scores.device)
        scores = scores.masked_fill(~allowed, float("-inf"))
    # 4. Softmax along each row: the scores become weights that are positive and add up to 1.
    weights = torch.softmax(scores, dim=-1)
    # 5. Weighted sum: each position's output is a blend of the values it listens to.
    output = weights @ value
    return output, weights


def random_projection(rows: int, columns: int, generator: torch.Generator) -> torch.Tensor:
    """A random (rows, columns) matrix scaled by 1/sqrt(rows), so its outputs stay near the size of its inputs."""
    return torch.randn(rows, columns, generator=generator) / math.sqrt(rows)


def format_cell(value: float, number_format: str) -> str:
    """A number for a table: '-inf' stays '-inf', and a rounded '-0.0' loses its confusing minus sign.

    >>> format_cell(float("-inf"), "{:+.1f}"), format_cell(-0.01, "{:+.1f}"), format_cell(0.25, "{:.2f}")
    ('-inf', '+0.0', '0.25')
    """
    if value == float("-inf"):
        return "-inf"
    shown = number_format.format(value)
    return shown.replace("-", "+") if float(shown) == 0 else shown


def matrix_table(title: str, matrix: torch.Tensor, characters: str, number_format: str) -> None:
    """Print a (T, T) matrix as a table with the characters as row and column names."""
    names = [ui.escape(ui.show_char(ch)) for ch in characters]
    rows = []
    for position, name in enumerate(names):
        cells = [format_cell(value, number_format) for value in matrix[position].tolist()]
        rows.append((f"{position} {name}", *cells))
    ui.table(title, ["", *names], rows, justify=["left"] + ["right"] * len(names))


def main(argv: list[str] | None = None) -> None:
    parser = sentence_step_parser("Self-attention from scratch, on a real short sentence.")
    parser.add_argument("--head-size", type=script.positive_int, default=8, help="numbers per query, key and value (default 8)")
    args = script.start_step(parser, argv)
    tokenizer, sentence, folder = load_sentence(args)
    generator = torch.Generator().manual_seed(args.seed)

    ui.heading("Step 3.2 - Self-attention from scratch", "Every character decides whom to listen to")
    ui.result("Sentence", f'"{ui.escape(sentence)}" ({len(sentence)} characters)')
    length = len(sentence)

    # ---------------------------------------------------------------- the input x
    ui.explain(
        "Each character becomes its embedding plus the positional encoding of its place (step 1). "
        "Stacked as rows, they make the input x: one row per character. The embedding and the three "
        "projection matrices here are random (with a fixed seed), so the pattern you will see means "
        "nothing yet -- the mechanics are what matter. Step 4 learns them from the stories."
    )
    embedding_table = torch.randn(tokenizer.vocab_size, args.embed_size, generator=generator)
    ids = torch.tensor(tokenizer.encode(sentence))
    x = embedding_table[ids] + sinusoidal_positional_encoding(length, args.embed_size)
    ui.result("x (the input)", f"shape {tuple(x.shape)} = (characters, embed size)")

    # ---------------------------------------------------------------- queries, keys, values
    ui.explain(
        "Three matrices turn every row of x into three shorter lists:\n"
        "  query Q = x W_q   'what am I looking for?'\n"
        "  key   K = x W_k   'what do I contain?'\n"
        "  value V = x W_v   'what I will hand over if you listen to me'",
        title="Queries, keys and values",
    )
    w_query = random_projection(args.embed_size, args.head_size, generator)
    w_key = random_projection(args.embed_size, args.head_size, generator)
    w_value = random_projection(args.embed_size, args.head_size, generator)
    query, key, value = x @ w_query, x @ w_key, x @ w_value
    ui.table("Shapes", ["matrix", "shape", "meaning"], [
        ("W_q, W_k, W_v", str(tuple(w_query.shape)), "(embed size, head size), one each"),
        ("Q", str(tuple(query.shape)), "one query per character"),
        ("K", str(tuple(key.shape)), "one key per character"),
        ("V", str(tuple(value.shape)), "one value per character"),
    ])

    # ---------------------------------------------------------------- scores, mask, softmax
    raw_scores = query @ key.T
    scores = raw_scores / math.sqrt(args.head_size)
    ui.explain(
        f"Score of row r, column c = (query of r) . (key of c): a big score means 'r wants what c has'. "
        f"We divide by sqrt(head size) = sqrt({args.head_size}) = {math.sqrt(args.head_size):.2f} so the scores "
        f"do not grow just because the lists are longer.",
        title="Scores",
    )
    matrix_table("Scaled scores  Q K^T / sqrt(d_k)", scores, sentence, "{:+.1f}")
    mask = causal_mask(length)
    masked_scores = scores.masked_fill(~mask, float("-inf"))
    ui.explain(
        "When the model writes text it must not peek at characters that come later. So every score above "
        "the diagonal (a character looking at its future) becomes -inf. After softmax, e^-inf = 0: "
        "those characters get no attention at all.",
        title="The causal mask",
    )
    matrix_table("Masked scores", masked_scores, sentence, "{:+.1f}")

    output, weights = scaled_dot_product_attention(query, key, value, causal=True)
    ui.explain(
        "Softmax turns each row of scores into attention weights: all positive, adding up to 1, like "
        "sharing 100 marks of attention among the characters a position may see.",
        title="Softmax: the attention weights",
    )
    matrix_table("Attention weights (each row adds up to 1)", weights, sentence, "{:.2f}")
    favourites = []
    for position in range(length):
        best = int(torch.argmax(weights[position]))
        favourites.append((f"{position} {ui.escape(ui.show_char(sentence[position]))}",
                           f"{best} {ui.escape(ui.show_char(sentence[best]))}", f"{float(weights[position, best]):.2f}"))
    ui.table("Whom does each character listen to most?", ["character", "listens most to", "weight"], favourites,
             justify=["left", "left", "right"])
    ui.result("Rows add up to 1", bool(torch.allclose(weights.sum(dim=-1), torch.ones(length))))
    ui.result("Output (weights @ V)", f"shape {tuple(output.shape)}: one blended value per character")

    # ---------------------------------------------------------------- check against PyTorch
    ui.heading("Check against PyTorch")
    ui.explain(
        "PyTorch has attention built in: torch.nn.functional.scaled_dot_product_attention. If our "
        "hand-written version is right, the two outputs agree to about 7 decimal places (float32 rounding)."
    )
    ours_open, weights_open = scaled_dot_product_attention(query, key, value, causal=False)
    theirs_open = F.scaled_dot_product_attention(query, key, value)
    theirs_causal = F.scaled_dot_product_attention(query, key, value, is_causal=True)
    difference_open = float((ours_open - theirs_open).abs().max())
    difference_causal = float((output - theirs_causal).abs().max())
    ui.result("Largest difference from PyTorch, without mask", f"{difference_open:.1e}")
    ui.result("Largest difference from PyTorch, with causal mask", f"{difference_causal:.1e}")
    if max(difference_open, difference_causal) < 1e-5:
        ui.success("Our attention matches PyTorch's.")
    else:
        ui.warn("Our attention does not match PyTorch's: something is wrong.")

    # ---------------------------------------------------------------- heatmap
    plot_path = folder / "step2_attention_heatmap.png"
    save_attention_grid(
        [(weights_open, "Without the mask: everyone sees everyone"), (weights, "With the causal mask: only the past")],
        sentence, f'Attention weights for "{sentence}" (random projections)', plot_path, columns=2, numbers=True,
        panel_size=5.5,
    )
    ui.saved(plot_path, "attention heatmap")
    ui.success("Done. Next: python step3_transformer_block.py (many heads at once, and the full block)")


if __name__ == "__main__":
    script.run_step(main)
