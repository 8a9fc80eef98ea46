"""Step 3.3 - Multi-head attention and the transformer block.

One attention (step 2) lets each character listen to others in ONE way. A
transformer block runs several attentions side by side (the *heads*), each with its
own queries, keys and values, and then lets every position think on its own with a
small feed-forward network. Two more ideas keep a deep stack of blocks trainable:

    x = x + attention(layer_norm_1(x))       residual: add, do not replace
    x = x + feed_forward(layer_norm_2(x))    pre-norm: tidy the numbers before each part

This script builds the pieces, traces the shape of the data through one block, checks
our multi-head attention against `torch.nn.MultiheadAttention` (same weights, same
answer), checks that no position can see its future, and saves a picture of the heads.

Run:  python step3_transformer_block.py
      python step3_transformer_block.py --heads 2 --embed-size 16
"""

from __future__ import annotations

import torch
from torch import nn

from buildai import script, ui
from buildai.errors import UserError
from level_3_transformer.attention_pictures import save_attention_grid
from level_3_transformer.sentence import load_sentence, sentence_step_parser
from level_3_transformer.step1_embedding import sinusoidal_positional_encoding
from level_3_transformer.step2_attention import scaled_dot_product_attention


class FeedForward(nn.Module):
    """The block's 'thinking' part: each position, on its own, goes through a small neural network.

    expand (d_model -> hidden_size), GELU, project (hidden_size -> d_model), dropout.
    Attention mixes information *between* positions; the feed-forward network then
    works on what each position has gathered. It never looks at other positions.

    >>> ffn = FeedForward(d_model=4, hidden_size=16)
    >>> ffn(torch.zeros(2, 3, 4)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, d_model: int, hidden_size: int, dropout: float = 0.0):
        super().__init__()
        self.expand = nn.Linear(d_model, hidden_size)
        # GELU: like ReLU (keeps positives, squashes negatives) but smooth around 0.
        # We use the exact form x * Phi(x), not the tanh approximation.
        self.activation = nn.GELU()
        self.project = nn.Linear(hidden_size, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.project(self.activation(self.expand(x))))


class MultiHeadAttention(nn.Module):
    """Several attention heads side by side: split, attend (each head on its own), merge, project.

    With d_model = 8 and 2 heads, each head works on 4 of the 8 numbers of every query,
    key and value. The heads' outputs are put back side by side (merge) and mixed by
    one more linear layer (the output projection).

    >>> attention = MultiHeadAttention(d_model=8, num_heads=2)
    >>> attention(torch.zeros(1, 5, 8)).shape
    torch.Size([1, 5, 8])
    >>> attention.last_attention_weights.shape  # (batch, heads, T, T)
    torch.Size([1, 2, 5, 5])
    """

    def __init__(self, d_model: int, num_heads: int, causal: bool = True, dropout: float = 0.0):
        super().__init__()
        if num_heads < 1 or d_model % num_heads != 0:
            raise UserError(
                f"The embed size ({d_model}) must split evenly into the heads ({num_heads}): "
                f"each head gets embed size / heads numbers. Choose, for example, --heads 2 or --heads 4."
            )
        self.num_heads = num_heads
        self.head_size = d_model // num_heads
        self.causal = causal
        self.query = nn.Linear(d_model, d_model)  # all heads' queries at once: head h uses columns h*head_size ...
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.output = nn.Linear(d_model, d_model)  # mixes the heads' results back together
        self.dropout = nn.Dropout(dropout)
        self.last_attention_weights: torch.Tensor | None = None  # kept for pictures, never trained

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, T, d_model) -> (batch, heads, T, head_size): each head gets its own slice of numbers."""
        batch, length, _ = x.shape
        return x.view(batch, length, self.num_heads, self.head_size).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, heads, T, head_size) -> (batch, T, d_model): the heads' results side by side again."""
        batch, _, length, _ = x.shape
        return x.transpose(1, 2).reshape(batch, length, self.num_heads * self.head_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        query = self.split_heads(self.query(x))
        key = self.split_heads(self.key(x))
        value = self.split_heads(self.value(x))
        # Our step 2 function works on (..., T, d) tensors, so all heads attend in one call.
        attended, weights = scaled_dot_product_attention(query, key, value, causal=self.causal)
        self.last_attention_weights = weights.detach()
        return self.dropout(self.output(self.merge_heads(attended)))


class TransformerBlock(nn.Module):
    """One transformer block, pre-norm style (as in GPT-2):

        x = x + attention(layer_norm_1(x))
        x = x + feed_forward(layer_norm_2(x))

    `residual=False` drops the "x +" parts, for the exercise that shows why they matter.

    >>> block = TransformerBlock(d_model=8, num_heads=2)
    >>> block(torch.zeros(3, 5, 8)).shape
    torch.Size([3, 5, 8])
    """

    def __init__(self, d_model: int, num_heads: int, hidden_size: int | None = None, dropout: float = 0.0,
                 causal: bool = True, residual: bool = True):
        super().__init__()
        self.residual = residual
        self.norm_1 = nn.LayerNorm(d_model)
        self.attention = MultiHeadAttention(d_model, num_heads, causal=causal, dropout=dropout)
        self.norm_2 = nn.LayerNorm(d_model)
        # The usual choice: the feed-forward network is 4 times wider than the embedding.
        self.feed_forward = FeedForward(d_model, hidden_size or 4 * d_model, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.residual:
            # The residual path: each part only adds a correction to x, and gradients can flow
            # straight back through the "+" to earlier blocks.
            x = x + self.attention(self.norm_1(x))
            return x + self.feed_forward(self.norm_2(x))
        x = self.attention(self.norm_1(x))
        return self.feed_forward(self.norm_2(x))


def copy_weights_from_torch_attention(ours: MultiHeadAttention, theirs: nn.MultiheadAttention) -> None:
    """Give our MultiHeadAttention exactly the weights of a torch.nn.MultiheadAttention.

    PyTorch keeps the three input projections stacked in one matrix, in_proj_weight, of
    shape (3 * d_model, d_model): rows [0, d) are the queries, [d, 2d) the keys, [2d, 3d)
    the values. Both store weights as (out, in), like nn.Linear, so no transpose is needed.
    """
    d_model = ours.query.in_features
    with torch.no_grad():
        for index, layer in enumerate((ours.query, ours.key, ours.value)):
            rows = slice(index * d_model, (index + 1) * d_model)
            layer.weight.copy_(theirs.in_proj_weight[rows])
            layer.bias.copy_(theirs.in_proj_bias[rows])
        ours.output.weight.copy_(theirs.out_proj.weight)
        ours.output.bias.copy_(theirs.out_proj.bias)


def torch_causal_mask(length: int) -> torch.Tensor:
    """The mask torch.nn.MultiheadAttention wants: True where a position must NOT look (the future)."""
    return torch.ones(length, length, dtype=torch.bool).triu(diagonal=1)


def trace_block(block: TransformerBlock, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, tuple[int, ...], str]]]:
    """Run the block one small piece at a time, noting the shape after every piece.

    Returns the block's output (the same as block(x)) and rows of (piece, shape, meaning).
    """
    attention = block.attention
    trace: list[tuple[str, tuple[int, ...], str]] = []

    def note(piece: str, tensor: torch.Tensor, meaning: str) -> torch.Tensor:
        trace.append((piece, tuple(tensor.shape), meaning))
        return tensor

    note("input x", x, "(batch, T, embed): one vector per character")
    normed = note("norm_1(x)", block.norm_1(x), "each vector rescaled to mean 0, spread 1")
    query = note("query(.)", attention.query(normed), "queries of all heads together")
    query = note("split heads: Q", attention.split_heads(query), "(batch, heads, T, head size)")
    key = attention.split_heads(attention.key(normed))
    value = attention.split_heads(attention.value(normed))
    note("split heads: K, V", key, "the same for keys and values")
    note("scores Q K^T", query @ key.transpose(-2, -1), "(batch, heads, T, T): per head, who matches whom")
    attended, weights = scaled_dot_product_attention(query, key, value, causal=attention.causal)
    note("attention weights", weights, "softmax of the masked, scaled scores")
    note("weights @ V", attended, "per head, a blend of the values")
    merged = note("merge heads", attention.merge_heads(attended), "the heads side by side again")
    projected = note("output(.)", attention.dropout(attention.output(merged)), "mixes what the heads found")
    x = note("x + attention", x + projected if block.residual else projected, "residual: add, do not replace")
    normed = note("norm_2(x)", block.norm_2(x), "tidy again before thinking")
    hidden = note("expand(.)", block.feed_forward.expand(normed), "4 times wider: room to think")
    hidden = note("GELU", block.feed_forward.activation(hidden), "keep the positives, soften the negatives")
    thought = note("project(.)", block.feed_forward.dropout(block.feed_forward.project(hidden)), "back to embed size")
    output = note("x + feed-forward", x + thought if block.residual else thought, "the block's output: same shape as its input")
    return output, trace


def future_leak(module: nn.Module, x: torch.Tensor) -> float:
    """The biggest change at positions 0..t when only position t+1 of the input changes, over every t.

    A causal module must give 0 here (up to rounding): what comes later must not change the past.
    """
    biggest = 0.0
    with torch.no_grad():
        original = module(x)
        for position in range(x.shape[1] - 1):
            changed = x.clone()
            changed[:, position + 1] = changed[:, position + 1] + 10.0 * torch.randn_like(changed[:, position + 1])
            difference = (module(changed)[:, : position + 1] - original[:, : position + 1]).abs().max()
            biggest = max(biggest, float(difference))
    return biggest


def main(argv: list[str] | None = None) -> None:
    parser = sentence_step_parser("Multi-head attention, the feed-forward network and the transformer block.")
    parser.add_argument("--heads", type=script.positive_int, default=4, help="attention heads; must divide --embed-size (default 4)")
    args = script.start_step(parser, argv)
    tokenizer, sentence, folder = load_sentence(args)

    ui.heading("Step 3.3 - The transformer block", "Many heads, a feed-forward network, residuals and LayerNorm")
    block = TransformerBlock(args.embed_size, args.heads).eval()
    embedding = nn.Embedding(tokenizer.vocab_size, args.embed_size)
    ids = torch.tensor([tokenizer.encode(sentence)])  # a batch of one sentence: shape (1, T)
    with torch.no_grad():
        x = embedding(ids) + sinusoidal_positional_encoding(len(sentence), args.embed_size)
    ui.result("Sentence", f'"{ui.escape(sentence)}"')
    ui.result("Heads", f"{args.heads}, each working on {args.embed_size // args.heads} of the {args.embed_size} numbers")

    # ------------------------------------------------------------------ the shape trace
    ui.explain(
        "Follow one batch through the block. B = batch (how many texts at once), T = characters, "
        "C = embed size, H = heads. Splitting into heads is only a reshape: the C numbers are cut into "
        "H slices of C/H. Every piece hands on the same shape it got, except inside: the heads, the "
        "T x T attention weights, and the 4-times-wider feed-forward layer.",
        title="Tracing the shapes",
    )
    with torch.no_grad():
        traced, trace = trace_block(block, x)
        direct = block(x)
    ui.table(f"Shapes through one block (B=1, T={len(sentence)}, C={args.embed_size}, H={args.heads})",
             ["piece", "shape", "what it is"], [(piece, str(shape), meaning) for piece, shape, meaning in trace])
    ui.result("Traced output equals block(x)", bool(torch.allclose(traced, direct, atol=1e-6)))

    parts = [
        ("norm_1 (LayerNorm)", block.norm_1), ("attention: query, key, value", None), ("attention: output", block.attention.output),
        ("norm_2 (LayerNorm)", block.norm_2), ("feed-forward: expand", block.feed_forward.expand),
        ("feed-forward: project", block.feed_forward.project),
    ]
    rows = []
    for name, module in parts:
        modules = [block.attention.query, block.attention.key, block.attention.value] if module is None else [module]
        rows.append((name, sum(p.numel() for m in modules for p in m.parameters())))
    rows.append(("total", sum(p.numel() for p in block.parameters())))
    ui.table("Learnable numbers in one block", ["part", "numbers"], rows, justify=["left", "right"])

    # ------------------------------------------------------------------ checks against PyTorch
    ui.heading("Check against PyTorch")
    ui.explain(
        "torch.nn.MultiheadAttention is PyTorch's own multi-head attention. We give ours exactly its weights "
        "(PyTorch keeps query, key and value stacked in one matrix, in_proj_weight) and compare the outputs. "
        "Then we change one character at a time and check that no earlier position notices: the causal "
        "mask really hides the future."
    )
    theirs = nn.MultiheadAttention(args.embed_size, args.heads, batch_first=True).eval()
    copy_weights_from_torch_attention(block.attention, theirs)
    with torch.no_grad():
        expected_open, _ = theirs(x, x, x, need_weights=False)
        expected_causal, _ = theirs(x, x, x, attn_mask=torch_causal_mask(len(sentence)), need_weights=False)
        block.attention.causal = False
        ours_open = block.attention(x)
        block.attention.causal = True
        ours_causal = block.attention(x)
    difference_open = float((ours_open - expected_open).abs().max())
    difference_causal = float((ours_causal - expected_causal).abs().max())
    ui.result("Largest difference from nn.MultiheadAttention, without mask", f"{difference_open:.1e}")
    ui.result("Largest difference from nn.MultiheadAttention, with causal mask", f"{difference_causal:.1e}")
    leak = future_leak(block, x)
    ui.result("Biggest change at earlier positions when a later character changes", f"{leak:.1e}")
    if max(difference_open, difference_causal) < 1e-5 and leak < 1e-5:
        ui.success("Our multi-head attention matches PyTorch's, and the block never peeks at the future.")
    else:
        ui.warn("Something does not match: check the weights mapping and the mask.")

    # ------------------------------------------------------------------ the heads, as a picture
    with torch.no_grad():
        block(x)  # the causal run, so each head's weights are stored for the picture
    weights = block.attention.last_attention_weights
    assert weights is not None
    plot_path = folder / "step3_attention_heads.png"
    save_attention_grid([(weights[0, head], f"head {head + 1}") for head in range(args.heads)], sentence,
                        "Each head has its own weights, so its own pattern (untrained here)", plot_path,
                        columns=min(args.heads, 4))
    ui.saved(plot_path, "attention of every head")
    ui.success("Done. Next: python step4_put_it_together.py (stack the blocks, train, and generate)")


if __name__ == "__main__":
    script.run_step(main)
