"""Step 3.4 - A complete mini-transformer language model.

All the pieces of this level, stacked into a model that reads characters and
predicts the next one:

    ids (B, T)
     -> token embedding + learned position embedding      (B, T, C)
     -> N transformer blocks (step 3)                      (B, T, C)
     -> final LayerNorm                                    (B, T, C)
     -> head: a score for every character of the vocabulary (B, T, V)

The head shares its weights with the token embedding ("weight tying"): the same
table turns characters into vectors and vectors back into character scores.

The script counts the model's numbers part by part, checks that the untrained
model's loss is about ln(vocabulary size) (it knows nothing, so every character is
equally likely), trains it for a short while with a progress bar, and writes new
text with temperature and top-k.

Run:  python step4_put_it_together.py                   (about 30 seconds)
      python step4_put_it_together.py --steps 2000      (better text, a few minutes)
      python step4_put_it_together.py --no-mask         (the "cheating" exercise)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from buildai import plotting, script, ui
from buildai.errors import UserError
from buildai.paths import output_dir
from level_3_transformer.attention_pictures import save_attention_grid
from level_3_transformer.batches import get_batch
from level_3_transformer.parameter_count import count_parameters_by_part
from level_3_transformer.step3_transformer_block import TransformerBlock
from level_3_transformer.training_flags import add_training_flags

LEVEL = 3


def sample_next_token(
    logits: torch.Tensor, temperature: float, top_k: int | None, generator: torch.Generator | None
) -> int:
    """Choose the next token id from the model's scores (logits) for one position.

    - temperature: divide the scores before softmax. Below 1 the favourite gets even more
      likely (safer text); above 1 the choices even out (wilder text). 0 means always the favourite.
    - top_k: keep only the k highest-scoring tokens and share the probability among them.

    >>> sample_next_token(torch.tensor([1.0, 3.0, 2.0]), temperature=0.0, top_k=None, generator=None)
    1
    >>> sample_next_token(torch.tensor([1.0, 3.0, 2.0]), temperature=1.0, top_k=1, generator=None)
    1
    """
    logits = logits.detach().float().reshape(-1)
    if temperature < 0:
        raise UserError(f"The temperature must be 0 or more (you gave {temperature}). Try 0.8.")
    if top_k is not None and top_k < 1:
        raise UserError(f"top-k must be at least 1 (you gave {top_k}). Try 10, or leave it out.")
    if temperature == 0:
        return int(torch.argmax(logits))
    logits = logits / temperature
    if top_k is not None and top_k < logits.numel():
        kth_best = torch.topk(logits, top_k).values[-1]
        # Everything below the k-th best score gets probability 0 after softmax.
        logits = logits.masked_fill(logits < kth_best, float("-inf"))
    probabilities = torch.softmax(logits, dim=-1)
    return int(torch.multinomial(probabilities, num_samples=1, generator=generator))


class MiniTransformer(nn.Module):
    """A small GPT-style language model over characters.

    >>> model = MiniTransformer(vocab_size=10, block_size=8, embed_size=16, num_layers=2, num_heads=2)
    >>> logits, loss = model(torch.zeros(3, 8, dtype=torch.long))
    >>> logits.shape, loss is None
    (torch.Size([3, 8, 10]), True)
    """

    def __init__(self, vocab_size: int, block_size: int, embed_size: int, num_layers: int, num_heads: int,
                 dropout: float = 0.0, causal: bool = True, residual: bool = True):
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, embed_size)  # one learned vector per character
        self.position_embedding = nn.Embedding(block_size, embed_size)  # one learned vector per position
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(embed_size, num_heads, dropout=dropout, causal=causal, residual=residual)
            for _ in range(num_layers)
        )
        self.final_norm = nn.LayerNorm(embed_size)
        self.head = nn.Linear(embed_size, vocab_size, bias=False)
        # Weight tying: the head's (vocab, embed) matrix IS the embedding table. A character's
        # score is then "how much does this vector look like that character's embedding?"
        self.head.weight = self.token_embedding.weight
        self.apply(self._initialise)

    @staticmethod
    def _initialise(module: nn.Module) -> None:
        """Small random starting weights (as in GPT-2). With them, the first scores are all near 0,
        so the untrained model gives every character about the same chance: loss = ln(vocab size)."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """ids: (batch, T) character ids -> (logits (batch, T, vocab), loss or None)."""
        length = ids.shape[1]
        if length > self.block_size:
            raise ValueError(f"at most {self.block_size} positions, got {length}")
        positions = torch.arange(length, device=ids.device)
        x = self.dropout(self.token_embedding(ids) + self.position_embedding(positions))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.final_norm(x))
        if targets is None:
            return logits, None
        # Cross-entropy: -log(probability the model gave to the right next character), averaged.
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        return logits, loss

    @torch.no_grad()
    def generate(self, ids: list[int], max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 generator: torch.Generator | None = None) -> Iterator[int]:
        """Yield new token ids one at a time, each chosen from the model's scores for the next position."""
        context = list(ids)
        device = self.token_embedding.weight.device
        for _ in range(max_new_tokens):
            window = torch.tensor([context[-self.block_size:]], dtype=torch.long, device=device)  # the last block_size ids
            logits, _ = self(window)
            next_id = sample_next_token(logits[0, -1], temperature, top_k, generator)
            context.append(next_id)
            yield next_id


@torch.no_grad()
def estimate_loss(model: nn.Module, data: torch.Tensor, block_size: int, batch_size: int, batches: int,
                  generator: torch.Generator) -> float:
    """The average loss over a few random batches, without training (dropout off)."""
    was_training = model.training
    model.eval()
    losses = []
    for _ in range(batches):
        inputs, targets = get_batch(data, block_size, batch_size, generator)
        _, loss = model(inputs, targets)
        losses.append(float(loss))
    model.train(was_training)
    return sum(losses) / len(losses)


def save_loss_plot(history: list[float], evaluations: list[tuple[int, float, float]], path: Path) -> None:
    figure, axes = plotting.new_figure(width=8, height=4.5)
    axes.plot(np.arange(1, len(history) + 1), history, color="tab:blue", alpha=0.35, label="training batch")
    steps = [step for step, _, _ in evaluations]
    axes.plot(steps, [train for _, train, _ in evaluations], "o-", color="tab:blue", label="training text")
    axes.plot(steps, [held for _, _, held in evaluations], "s-", color="tab:orange", label="held-out text")
    axes.set_xlabel("training step")
    axes.set_ylabel("loss (cross-entropy)")
    axes.set_title("The mini-transformer learning")
    axes.legend()
    plotting.save_figure(figure, path)


def save_trained_attention_plot(model: MiniTransformer, ids: list[int], characters: str, path: Path) -> None:
    """The attention of every head of the first and the last block, after training."""
    with torch.no_grad():
        model.eval()
        model(torch.tensor([ids]))
    panels = []
    for layer in sorted({0, len(model.blocks) - 1}):
        weights = model.blocks[layer].attention.last_attention_weights
        assert weights is not None
        panels += [(weights[0, head], f"block {layer + 1}, head {head + 1}") for head in range(weights.shape[1])]
    heads = model.blocks[0].attention.num_heads
    save_attention_grid(panels, characters, "Attention after training: rows listen, columns are listened to", path,
                        columns=heads if heads <= 6 else 4, panel_size=3.4)


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("A complete mini-transformer: count its parts, train it briefly, generate text.",
                                threads_flag=True)
    add_training_flags(parser, embed_size=64, steps=300, batch_size=32, batch_unit="windows of text", learning_rate=3e-3)
    parser.add_argument("--block-size", type=script.positive_int, default=64, help="characters the model sees at once (default 64)")
    parser.add_argument("--layers", type=script.positive_int, default=2, help="transformer blocks (default 2)")
    parser.add_argument("--heads", type=script.positive_int, default=4,
                        help="attention heads per block; must divide --embed-size (default 4)")
    parser.add_argument("--dropout", type=script.fraction, default=0.0,
                        help="dropout probability, from 0 up to (not including) 1 (default 0: short runs do not need it)")
    parser.add_argument("--eval-batches", type=script.positive_int, default=10, help="batches used to measure the loss (default 10)")
    parser.add_argument("--prompt", default=None, help="text to start the generation with (default: the first word of the text)")
    parser.add_argument("--length", type=script.positive_int, default=200, help="characters to generate (default 200)")
    parser.add_argument("--temperature", type=script.non_negative_float, default=0.8,
                        help="0 = always the likeliest; below 1: safer text, above 1: wilder (default 0.8)")
    parser.add_argument("--top-k", type=script.non_negative_int, default=10,
                        help="choose only among the k likeliest characters; 0 = all (default 10)")
    parser.add_argument("--no-mask", action="store_true", help="remove the causal mask (exercise: watch the model cheat)")
    parser.add_argument("--no-residual", action="store_true", help="remove the residual connections (exercise)")
    args = script.start_step(parser, argv)  # also seeds every generator and picks PyTorch's threads
    corpus = script.load_corpus(args)
    text, validation_text, tokenizer = corpus.text, corpus.val_text, corpus.tokenizer
    train_data = torch.tensor(corpus.train_ids, dtype=torch.long)
    validation_data = torch.tensor(corpus.val_ids, dtype=torch.long)
    if len(validation_data) <= args.block_size:
        raise UserError(
            f"The held-out part of the text has only {len(validation_data)} characters, not more than "
            f"--block-size {args.block_size}. Use a longer text or a smaller --block-size."
        )
    prompt = args.prompt if args.prompt is not None else text.split()[0]
    prompt_ids = tokenizer.encode(prompt)  # a UserError names any character the text never had
    if not prompt_ids:
        raise UserError("The --prompt is empty. Give a few characters to start from, for example --prompt \"The \".")
    folder = output_dir(LEVEL, args.out_dir)
    generator = torch.Generator().manual_seed(args.seed)

    ui.heading("Step 3.4 - A mini-transformer language model", "Everything from this level, stacked and trained")
    model = MiniTransformer(tokenizer.vocab_size, args.block_size, args.embed_size, args.layers, args.heads,
                            dropout=args.dropout, causal=not args.no_mask, residual=not args.no_residual)
    ui.explain(
        f"ids (B, T) -> token embedding + position embedding (B, T, {args.embed_size}) -> {args.layers} transformer "
        f"blocks -> final LayerNorm -> head (B, T, {tokenizer.vocab_size}): a score for every character, at every "
        f"position. The head re-uses the token embedding table (weight tying), so it adds no numbers of its own.",
        title="The model",
    )
    if args.no_mask:
        ui.warn("--no-mask: every position can see the characters that come after it. Watch what happens.")
    if args.no_residual:
        ui.warn("--no-residual: the blocks replace x instead of adding to it. Watch what happens.")

    # ------------------------------------------------------------------ parameters
    parts = count_parameters_by_part(model)
    total = sum(count for _, count in parts)
    notes = {"head": "shared with token_embedding", "blocks": f"{args.layers} blocks"}
    ui.table("Learnable numbers, part by part", ["part", "numbers", "share", "note"],
             [(name, count, f"{100 * count / total:.1f}%", notes.get(name, "")) for name, count in parts],
             justify=["left", "right", "right", "left"])
    ui.table("Inside one block", ["part", "numbers"], count_parameters_by_part(model.blocks[0]), justify=["left", "right"])
    ui.result("Total learnable numbers", f"{total:,}")

    # ------------------------------------------------------------------ loss before training
    ui.explain(
        f"Before training the model knows nothing, so it should give each of the {tokenizer.vocab_size} "
        f"characters about the same chance, 1/{tokenizer.vocab_size}. The loss is then "
        f"-ln(1/{tokenizer.vocab_size}) = ln({tokenizer.vocab_size}) = {math.log(tokenizer.vocab_size):.3f}. "
        f"A very different number would mean a bug, or a bad start.",
        title="Loss before training",
    )
    initial_loss = estimate_loss(model, validation_data, args.block_size, args.batch_size, args.eval_batches, generator)
    ui.result("Loss before training", f"{initial_loss:.3f}")
    ui.result("ln(vocabulary size)", f"{math.log(tokenizer.vocab_size):.3f}")

    # ------------------------------------------------------------------ training
    ui.heading("Training")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)
    eval_every = max(1, args.steps // 5)
    history: list[float] = []
    initial_train_loss = estimate_loss(model, train_data, args.block_size, args.batch_size, args.eval_batches, generator)
    evaluations: list[tuple[int, float, float]] = [(0, initial_train_loss, initial_loss)]
    model.train()
    with ui.progress(total=args.steps, description="Training") as tracker:
        for step in range(1, args.steps + 1):
            inputs, targets = get_batch(train_data, args.block_size, args.batch_size, generator)
            _, loss = model(inputs, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # guard against a rare huge step
            optimizer.step()
            history.append(loss.item())
            if step % eval_every == 0 or step == args.steps:
                train_loss = estimate_loss(model, train_data, args.block_size, args.batch_size, args.eval_batches, generator)
                held_loss = estimate_loss(model, validation_data, args.block_size, args.batch_size, args.eval_batches, generator)
                evaluations.append((step, train_loss, held_loss))
            tracker.advance(loss=history[-1])
    ui.table("Loss during training", ["step", "training text", "held-out text"],
             [(str(step), f"{train:.3f}", f"{held:.3f}") for step, train, held in evaluations], justify=["right"] * 3)
    ui.line_chart({"training batch": history}, title="Loss per training step")
    final_train, final_held = evaluations[-1][1], evaluations[-1][2]
    ui.result("Final training loss", f"{final_train:.3f}")
    ui.result("Final held-out loss", f"{final_held:.3f}")
    ui.result("Training time", f"{tracker.elapsed:.1f} s")
    loss_path = folder / "step4_loss.png"
    save_loss_plot(history, evaluations, loss_path)
    ui.saved(loss_path, "loss curve")

    # ------------------------------------------------------------------ generation
    ui.heading("Generation")
    top_k = args.top_k if args.top_k > 0 else None
    ui.explain(
        f"Start from \"{ui.escape(prompt)}\", ask the model for the next character's scores, divide them by the "
        f"temperature ({args.temperature}), keep the {top_k or 'all'} best, pick one at random by its "
        f"probability, add it, and repeat {args.length} times.",
        title="Writing new text",
    )
    model.eval()
    ui.type_out(prompt, delay=0)  # the prompt first, then the new characters as they come
    generated = ui.stream_text(
        tokenizer.decode([token]) for token in model.generate(prompt_ids, args.length, args.temperature, top_k, generator)
    )
    ui.result("Characters generated", len(generated))
    if args.no_mask:
        ui.warn(
            "Without the mask the loss fell far below the normal run's, because each position could simply read "
            "the answer (the next character) from its right-hand neighbour. When writing new text there is no "
            "right-hand neighbour to copy from, so the text falls apart. See exercise 2 in lesson.md."
        )

    # A piece of held-out text, starting at a word, for the picture of what the trained heads attend to.
    word_start = validation_text.find(" ") + 1
    sample = validation_text[word_start : word_start + min(24, args.block_size)].strip() or prompt[: args.block_size]
    attention_path = folder / "step4_attention_trained.png"
    save_trained_attention_plot(model, tokenizer.encode(sample), sample, attention_path)
    ui.saved(attention_path, "attention of the trained heads")
    ui.success("Done. Level 4 grows this into a GPT with checkpoints, more data handling and better sampling.")


if __name__ == "__main__":
    script.run_step(main)
